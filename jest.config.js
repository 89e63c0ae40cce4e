/**
 * Three tiers (docs/development.md). `unit`: specs next to the code, no PostgreSQL, Redis or
 * MariaDB. `medium`: test/medium, a service with its real repositories on a database of its own,
 * no HTTP and no worker process. `e2e`: test/, the API and workers against the real services.
 * Medium and e2e files each get a database cloned from a template that the global setup
 * migrates once per run. `npm run test:unit`, `test:medium`, `test:e2e`, and `npm test` for all.
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
      displayName: 'medium',
      testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
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
