// One adapter against the real Postgres, Kafka or Elasticsearch: *.int-spec.ts next to the code.
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'int',
  testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
  // Tests that stop a shared server run in the serial e2e tier instead.
  testPathIgnorePatterns: ['/node_modules/', '\\.slow\\.int-spec\\.ts$'],
  testTimeout: 60_000,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
};
