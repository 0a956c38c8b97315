#!/usr/bin/env node
// Entry point of `npx summarizer`: runs the TypeScript CLI through tsx (installed by npm ci).
require('tsx/cjs');
const { run } = require('./main.ts');
const { terminalProgress } = require('./progress.ts');
run(process.argv.slice(2), {
  progress: () => terminalProgress(process.stderr),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
