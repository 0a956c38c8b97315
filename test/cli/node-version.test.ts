import { spawnSync } from 'child_process';
import * as path from 'path';

test('on Node < 22 the CLI says so in one short line, never with the SDK\'s 8-line warning', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  // `status` builds SDK clients and calls CloudFormation (refused on the discard port).
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'cli', 'summarizer.cjs'), '--stage', 'dev', 'status'], { env, encoding: 'utf8', timeout: 60_000 });
  expect(run.status).not.toBe(0);
  expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  const notes = run.stderr.split('\n').filter((l) => /\bNode\b/.test(l));
  expect(notes).toHaveLength(Number(process.versions.node.split('.')[0]) < 22 ? 1 : 0);
  for (const note of notes) expect(note.length).toBeLessThan(120);
});
