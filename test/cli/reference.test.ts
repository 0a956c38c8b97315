import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { buildProgram } from '../../cli/main';
import { addExamples, cliReference, COMMAND_EXAMPLES, withCliReference } from '../../cli/reference';
import { runCli } from '../helpers/cli';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const program = () => buildProgram({ stdout: () => undefined, stderr: () => undefined });

test('the README\'s CLI reference is the one the CLI\'s own definitions give (run `npm run docs:cli`)', () => {
  expect(withCliReference(README, cliReference(program()))).toBe(README);
});

test.each(Object.entries(COMMAND_EXAMPLES))('`summarizer %s --help` has a description and its example', async (name, example) => {
  const { code, out } = await runCli([...name.split(' '), '--help']);
  expect(code).toBe(0);
  expect(out).toContain(`Example:\n  ${example}`);
  expect(README).toContain(`\`${example}\``);
});

test('a command without an example or a description cannot be added unnoticed', () => {
  expect(() => addExamples(new Command('summarizer').addCommand(new Command('new-thing').description('Does a new thing.')))).toThrow('summarizer new-thing has no example in COMMAND_EXAMPLES');
  const bare = new Command('summarizer');
  bare.command('submit');
  expect(() => addExamples(bare)).toThrow('summarizer submit has no description');
});
