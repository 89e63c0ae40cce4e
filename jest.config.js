/**
 * Two tiers. `unit`: specs next to the code, no PostgreSQL, Redis or MariaDB (fakes where a
 * service needs a repository). `e2e`: test/, against the real services, each file on a database
 * cloned from a template that the global setup migrates once per run.
 * `npm run test:unit`, `npm run test:e2e`, and `npm test` for both.
 * @type {import('jest').Config}
 */
const shared = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // end-to-end files each bring up their own database, app and worker; waits are generous so
  // that a busy machine does not fail them
  testTimeout: 300000,
  maxWorkers: 2,
};
