import * as fs from 'fs';
import * as path from 'path';
import { MIN_CHUNK_TOKENS } from '../../lib/config/load';
import { CONFIG_SCHEMA } from '../../lib/config/schema';

// The stack's configuration and the model handler bound the same settings; a value synth accepts
// but the handler refuses would fail only when the model loads in the account.
const handler = fs.readFileSync(path.join(__dirname, '..', '..', 'model', 'code', 'inference.py'), 'utf8');

function pythonConstant(name: string): number[] {
  const match = handler.match(new RegExp(`^${name.replace(/,/g, ', *')} = ([\\d, ]+)$`, 'm'));
  if (!match) throw new Error(`${name} not found in model/code/inference.py`);
  return match[1].split(',').map((v) => Number(v.trim()));
}

function range(key: keyof typeof CONFIG_SCHEMA): [number, number] {
  const m = CONFIG_SCHEMA[key].allowed.match(/^an integer from (\d+) to (\d+)$/);
  if (!m) throw new Error(`${key} is not an integer range`);
  return [Number(m[1]), Number(m[2])];
}

test('batch size, rounds and window bounds are the same in the configuration and the handler', () => {
  expect(range('summaryBatchSize')).toEqual([1, pythonConstant('MAX_BATCH_SIZE')[0]]);
  expect(range('maxSummaryRounds')).toEqual(pythonConstant('MIN_ROUNDS, MAX_ROUNDS'));
  expect(range('overlapTokens')).toEqual([0, pythonConstant('MAX_OVERLAP_TOKENS')[0]]);
  expect(MIN_CHUNK_TOKENS).toBe(pythonConstant('MIN_CHUNK_TOKENS')[0]);
});
