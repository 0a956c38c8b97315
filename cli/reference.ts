import type { Command } from 'commander';

/**
 * One example per command: shown under its `--help`, and in the README's CLI reference, which is
 * generated from the same definitions (`npm run docs:cli`; test/cli/reference.test.ts fails when
 * the README differs).
 */
export const COMMAND_EXAMPLES: Readonly<Record<string, string>> = {
  submit: "npx summarizer submit reports/ 'notes/**/*.md' --param max_length=256 --manifest batch.json",
  wait: 'npx summarizer wait batch.json --out summaries/',
  extract: 'npx summarizer extract reports/q3.pdf --out extracted/',
  preflight: 'npx summarizer preflight --context config=config/prod.json',
  'stage-model': 'npx summarizer --stage prod stage-model google/pegasus-large@93928205c2e26274f82e637a8e10033be1e1e975',
  smoke: 'npx summarizer --stage dev smoke --timeout 1800',
  drain: 'npx summarizer --stage prod drain --timeout 3600',
  resume: 'npx summarizer --stage prod resume',
  status: 'npx summarizer status --minutes 180 --json',
  load: 'npx summarizer load --count 10000 --rate 20 --watch-scale-in',
  subscribe: 'npx summarizer subscribe --email oncall@example.com --operations',
  cleanup: 'npx summarizer --stage dev cleanup --yes',
  summaries: 'npx summarizer summaries export --from 2026-11-01 --to 2026-11-30 --out november.csv',
  'summaries export': 'npx summarizer summaries export --from 2026-11-01 --to 2026-11-30 --format jsonl --status FAILED',
  'summaries get': 'npx summarizer summaries get input/reports/q3.pdf',
};

/** Every command below `program`, as "parent child" paths. */
function commandsOf(program: Command, prefix = ''): Array<[string, Command]> {
  return program.commands.flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    return [[name, c] as [string, Command], ...commandsOf(c, `${name} `)];
  });
}

/** Adds each command's example to its help; a command without a description or an example is a programming error. */
export function addExamples(program: Command): void {
  for (const [name, command] of commandsOf(program)) {
    const example = COMMAND_EXAMPLES[name];
    if (!example) throw new Error(`summarizer ${name} has no example in COMMAND_EXAMPLES`);
    if (!command.description()) throw new Error(`summarizer ${name} has no description`);
    command.addHelpText('after', `\nExample:\n  ${example}\n`);
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's CLI reference: one row per command, from the same definitions as `--help`. */
export function cliReference(program: Command): string {
  const rows = commandsOf(program).map(([name, command]) => {
    const args = command.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}]`)).join(' ');
    const usage = `summarizer ${name}${args ? ` ${args}` : ''}`;
    return `| \`${cell(usage)}\` | ${cell(command.description())} | \`${cell(COMMAND_EXAMPLES[name])}\` |`;
  });
  return ['| Command | What it does | Example |', '|---|---|---|', ...rows].join('\n');
}

export const REFERENCE_START = '<!-- cli-reference:start (npm run docs:cli) -->';
export const REFERENCE_END = '<!-- cli-reference:end -->';

/** The README with its CLI reference section replaced. */
export function withCliReference(readme: string, reference: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`the README has no ${REFERENCE_START} … ${REFERENCE_END} section`);
  return `${readme.slice(0, start + REFERENCE_START.length)}\n${reference}\n${readme.slice(end)}`;
}
