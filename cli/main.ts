import * as fs from 'fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SummaryStatus } from '../common/summary-record';
import { AwsClients, createClients } from './clients';
import { ExportFormat, summariesBetween, summariesOfDocument, writeRecords } from './commands/summaries';
import { CliError, explainAwsError, readStackOutputs, requireOutput } from './stack-outputs';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Injected in tests (mocked SDK clients). */
  readonly clients?: (region?: string) => AwsClients;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function isoDate(value: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError(`expected a date as YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

interface GlobalOptions {
  readonly stage: string;
  readonly stack?: string;
  readonly region?: string;
}

/** The `summarizer` command line. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('summarizer')
    .description('Work with a deployed PEGASUS summarization stack (resources are found from the stack outputs).')
    .option('--stage <stage>', 'stage whose stack PegasusSummarizer-<stage> to use', 'dev')
    .option('--stack <name>', 'stack name (overrides --stage)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError();

  const context = async (tableOverride?: string) => {
    const global = program.opts<GlobalOptions>();
    const clients = (io.clients ?? createClients)(global.region);
    const outputs = tableOverride ? {} : await readStackOutputs(clients.cloudFormation, global);
    const tableName = requireOutput(outputs, 'SummariesTableName', '--table', tableOverride);
    return { clients, tableName };
  };

  const summaries = program.command('summaries').description('Query the summaries recorded by the research pipeline.');

  summaries
    .command('export')
    .description('Export the summaries whose status changed between two UTC dates (inclusive), as CSV or JSON Lines.')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD', isoDate)
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD', isoDate)
    .addOption(new Option('--status <status>', 'only records in this status').choices(['COMPLETED', 'FAILED', 'PENDING', 'SUBMITTING']))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'))
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--table <name>', 'summaries table (default: the stack output SummariesTableName)')
    .action(async (options: { from: string; to: string; status?: SummaryStatus; format: ExportFormat; out?: string; table?: string }) => {
      if (options.to < options.from) throw new CliError(`--to (${options.to}) is before --from (${options.from}).`);
      const { clients, tableName } = await context(options.table);
      const file = options.out ? fs.openSync(options.out, 'w') : undefined;
      const write = file === undefined ? io.stdout : (chunk: string) => fs.writeSync(file, chunk);
      try {
        const count = await writeRecords(summariesBetween(clients.table, tableName, options.from, options.to, options.status), options.format, write);
        io.stderr(`${count} record${count === 1 ? '' : 's'} from ${options.from} to ${options.to}${options.out ? ` written to ${options.out}` : ''}\n`);
      } catch (error) {
        explainAwsError(error, `querying table "${tableName}"`);
      } finally {
        if (file !== undefined) fs.closeSync(file);
      }
    });

  summaries
    .command('get')
    .description('Show every record of one source document (its key under input/), newest first, as JSON Lines.')
    .argument('<sourceKey>', 'object key, e.g. input/reports/q3.txt')
    .option('--table <name>', 'summaries table (default: the stack output SummariesTableName)')
    .action(async (sourceKey: string, options: { table?: string }) => {
      const { clients, tableName } = await context(options.table);
      let records;
      try {
        records = await summariesOfDocument(clients.table, tableName, sourceKey);
      } catch (error) {
        explainAwsError(error, `querying table "${tableName}"`);
      }
      if (records.length === 0) throw new CliError(`no record for "${sourceKey}" (keys look like input/…; was it uploaded with the pipeline on?).`);
      for (const record of records) io.stdout(`${JSON.stringify(record)}\n`);
    });

  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    const e = error as Error & { exitCode?: number; code?: string };
    if (e.code?.startsWith('commander.')) return e.exitCode ?? 1; // commander printed the message
    if (e instanceof CliError) {
      io.stderr(`error: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`error: ${e.message}\n`);
    return 1;
  }
}
