/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The lifecycle suite deploys into an emulator; it has its own command (npm run test:lifecycle).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/lifecycle/'],
  transform: {
    '^.+\\.tsx?$': 'ts-jest',
  },
  // ESM-only dependencies: test/setup/build-esm-deps.ts converts each to one CommonJS file for Jest.
  globalSetup: '<rootDir>/test/setup/build-esm-deps.ts',
  setupFiles: ['<rootDir>/test/setup/quiet-node-warning.ts'],
  moduleNameMapper: {
    '^pdfjs-dist/legacy/build/pdf\\.mjs$': '<rootDir>/node_modules/.cache/summarizer-test/pdf.cjs',
    '^pdfjs-dist/legacy/build/pdf\\.worker\\.mjs$': '<rootDir>/node_modules/.cache/summarizer-test/pdf.worker.cjs',
    '^linkedom$': '<rootDir>/node_modules/.cache/summarizer-test/linkedom.cjs',
  },
  testTimeout: 60000,
  // Jest's default is one worker per core minus one: a single worker on the 2-core CI machine,
  // with the second core mostly idle. Two workers take a clean-clone run from ~72 s to ~63 s.
  maxWorkers: 2,
};
