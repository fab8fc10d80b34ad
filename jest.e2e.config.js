// The apps wired together: test/e2e/*.e2e-spec.ts.
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
  testTimeout: 120_000,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  maxWorkers: 1,
};
