/** @type {import('jest').Config} */
// The lifecycle suite (npm run test:lifecycle): deploys the app into moto with the real CDK CLI.
// One test file, in band: its steps run in order against one emulated account.
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/lifecycle'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600000,
  maxWorkers: 1,
};
