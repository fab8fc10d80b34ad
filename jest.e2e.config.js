// The apps wired together: test/e2e/*.e2e-spec.ts.
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'e2e',
  // Also the integration tests that stop a shared server (*.slow.int-spec.ts): they must run alone.
  testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts', '<rootDir>/{apps,libs}/**/*.slow.int-spec.ts'],
  testTimeout: 120_000,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  maxWorkers: 1,
};
