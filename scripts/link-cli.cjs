#!/usr/bin/env node
/**
 * Runs at `npm ci` / `npm install` (postinstall): links `node_modules/.bin/summarizer` to the CLI.
 *
 * Why not the `bin` field? npm 11's `npx <name>` checks the project's own package.json first, and a
 * match there makes it install the project into its npx cache (an Arborist tree load, ~0.5 s) before
 * every run. A link in `node_modules/.bin` is found by a plain file lookup instead
 * (libnpmexec/lib/index.js, `hasPkgBin` then `localFileExists`). `npx summarizer --help` measured
 * 0.92 s with `bin`, 0.43 s with this link (`npm run bench:cli`).
 *
 * Without either, `npx summarizer` would look the name up on the registry, where an unrelated
 * package called `summarizer` exists: the project's `.npmrc` sets `yes=false`, so npx refuses to
 * install anything from here instead of fetching it.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const binDir = path.join(root, 'node_modules', '.bin');
const link = path.join(binDir, 'summarizer');
const target = path.join('..', '..', 'cli', 'summarizer.cjs');

fs.mkdirSync(binDir, { recursive: true });
let current;
try {
  current = fs.readlinkSync(link);
} catch {
  current = undefined;
}
if (current !== target) {
  fs.rmSync(link, { force: true });
  fs.symlinkSync(target, link);
}
// npx runs the link itself: a checkout that lost file modes (an archive, some CI caches) would
// leave it not executable.
fs.chmodSync(path.join(root, 'cli', 'summarizer.cjs'), 0o755);
