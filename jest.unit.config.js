// Pure logic, no I/O: *.spec.ts next to the code.
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'],
};
