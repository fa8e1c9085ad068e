const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // middy is ESM-only: let ts-jest transpile it (and only it) from node_modules.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+/node_modules/@middy/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // The contract checks share one packaging of the stack per run (test/contract/shared-stacks.ts).
  globalSetup: '<rootDir>/test/contract/global-setup.ts',
  globalTeardown: '<rootDir>/test/contract/global-teardown.ts',
  testSequencer: '<rootDir>/test/contract/sequencer.js',
  // jest's default (cores − 1) is one worker on a 2-core machine; the main process only schedules,
  // so two workers use both cores (tsc --noEmit type-checks; ts-jest only transpiles, tsconfig isolatedModules).
  maxWorkers: Math.max(2, availableParallelism() - 1),
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
