/** Unit tests and integration tests (real local registry) run in one jest invocation. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `tsc --noEmit` in `npm test`; jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // jose, cbor2 and pkijs ship only ES modules; jest's CommonJS runtime needs them transpiled.
    '^.+\\.m?js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs' } }],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|cbor2|@cto\\.af|pkijs|asn1js|@noble/hashes|@peculiar/utils|bytestreamjs)/)',
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 30000,
  // The machine has 2 cores; integration suites start their own registries.
  maxWorkers: 2,
};
