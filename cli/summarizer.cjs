#!/usr/bin/env node
// Entry point of `npx summarizer`: runs the TypeScript CLI through tsx (installed by npm ci).
// On Node < 22 the AWS SDK prints an 8-line NodeVersionSupportWarning before every command that
// uses AWS; one short line says the same, unless the SDK's own switch silences it.
if (!process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (Number(process.versions.node.split('.')[0]) < 22) {
    process.stderr.write(`note: Node ${process.versions.node} works, but the AWS SDK needs Node 22 or later for updates after January 2027\n`);
  }
}
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
