import * as fs from 'fs';
import * as path from 'path';
import { configTable, withConfigTable } from '../../lib/config/docs';
import { CONFIG_KEYS, loadConfig } from '../../lib/config';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

test('the README documents every configuration key as the schema defines it (run `npm run docs:config`)', () => {
  expect(withConfigTable(readme)).toBe(readme);
});

test('the generated table has one row per key with its default', () => {
  const table = configTable();
  for (const key of CONFIG_KEYS) expect(table).toContain(`| \`${key}\` |`);
  expect(table).toContain('| `maxCapacity` | `5` | an integer from 1 to 100 |');
  expect(table).toContain('| `notificationEmails` | *(none)* |');
  expect(table).toContain('| `modelRevision` | *(unset)* |');
});

test('the README shows the two commands a fresh machine needs', () => {
  expect(readme).toContain('npm ci && npx cdk synth');
  expect(readme).toContain('npm ci && npm test');
});

test('the example production config file is valid', () => {
  const file = path.join(__dirname, '..', '..', 'config', 'prod.example.json');
  const config = loadConfig({ config: file });
  expect(config).toMatchObject({ stage: 'prod', terminationProtection: true, dataRemovalPolicy: 'retain' });
});
