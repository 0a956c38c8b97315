import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SummaryStatus } from '../common/summary-record';
import { stackName } from '../lib/stack-name';
import type { AwsClients } from './clients';
import type { ExportFormat } from './commands/summaries';
import type { WaitTarget } from './commands/wait';
import type { Manifest } from './manifest';
import type { Progress } from './progress';
import type { ResourceOverrides, Resources } from './resources';
import { addExamples } from './reference';
import { CliError, explainAwsError, readStackOutputs, requireOutput } from './stack-outputs';

/**
 * Everything beyond reading the command line, loaded when a command runs: `--help`, a usage
 * error or a dry run never loads the AWS SDK, aws-cdk-lib or another command's modules
 * (test/cli/startup.test.ts checks the module graph; `npm run bench:cli` times it).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- require, not import(): the binary runs through tsx/cjs, whose import() cannot resolve a .ts module */
const lazy = {
  clients: (): typeof import('./clients') => require('./clients'),
  cleanup: (): typeof import('./commands/cleanup') => require('./commands/cleanup'),
  config: (): typeof import('../lib/config') => require('../lib/config'),
  documents: (): typeof import('./documents') => require('./documents'),
  drain: (): typeof import('./commands/drain') => require('./commands/drain'),
  load: (): typeof import('./commands/load') => require('./commands/load'),
  manifest: (): typeof import('./manifest') => require('./manifest'),
  preflight: (): typeof import('./commands/preflight') => require('./commands/preflight'),
  preview: (): typeof import('./commands/preview') => require('./commands/preview'),
  extract: (): typeof import('./commands/extract') => require('./commands/extract'),
  progress: (): typeof import('./progress') => require('./progress'),
  report: (): typeof import('./report') => require('./report'),
  resources: (): typeof import('./resources') => require('./resources'),
  smoke: (): typeof import('./commands/smoke') => require('./commands/smoke'),
  stageModel: (): typeof import('./commands/stage-model') => require('./commands/stage-model'),
  hub: (): typeof import('./hub') => require('./hub'),
  status: (): typeof import('./commands/status') => require('./commands/status'),
  submit: (): typeof import('./commands/submit') => require('./commands/submit'),
  subscribe: (): typeof import('./commands/subscribe') => require('./commands/subscribe'),
  summaries: (): typeof import('./commands/summaries') => require('./commands/summaries'),
  wait: (): typeof import('./commands/wait') => require('./commands/wait'),
  wake: (): typeof import('./wake') => require('./wake'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Injected in tests (mocked SDK clients). */
  readonly clients?: (region?: string) => AwsClients;
  /** Progress bars; the binary passes terminal bars, tests nothing. */
  readonly progress?: () => Progress;
  /** Injected in tests so polling does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

const positiveInt = (name: string, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}, got "${value}"`);
  return n;
};

/** `--param key=value` (value parsed as JSON when it can be, else kept as a string). */
function collectParam(value: string, previous: Record<string, unknown>): Record<string, unknown> {
  const match = /^([A-Za-z_][\w]*)=(.*)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  let parsed: unknown = match[2];
  try {
    parsed = JSON.parse(match[2]);
  } catch {
    // a plain string
  }
  return { ...previous, [match[1]]: parsed };
}

/** The app's own cdk.json context (configuration as cdk synth reads it); {} when it cannot be read. */
function cdkJsonContext(): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')).context ?? {};
  } catch {
    return {};
  }
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

/** What a run decided about its exit code (commands that partly fail still finish their work). */
export interface RunState {
  exitCode: number;
}

/** The `summarizer` command line. */
export function buildProgram(io: CliIo, state: RunState = { exitCode: 0 }): Command {
  const program = new Command('summarizer')
    .description('Work with a deployed PEGASUS summarization stack (resources are found from the stack outputs).')
    .option('--stage <stage>', 'stage whose stack PegasusSummarizer-<stage> to use', 'dev')
    .option('--stack <name>', 'stack name (overrides --stage)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError();

  const clientsFor = async (): Promise<AwsClients> => (io.clients ?? (await lazy.clients()).createClients)(program.opts<GlobalOptions>().region);
  const progress = async (): Promise<Progress> => (io.progress ? io.progress() : (await lazy.progress()).silentProgress);
  const selectedStack = () => program.opts<GlobalOptions>().stack ?? stackName(program.opts<GlobalOptions>().stage);

  const context = async (tableOverride?: string) => {
    const global = program.opts<GlobalOptions>();
    const clients = await clientsFor();
    const outputs = tableOverride ? {} : await readStackOutputs(clients.cloudFormation, global);
    const tableName = requireOutput(outputs, 'SummariesTableName', '--table', tableOverride);
    return { clients, tableName };
  };

  const resolve = async (overrides: ResourceOverrides): Promise<{ clients: AwsClients; resources: Resources }> => {
    const clients = await clientsFor();
    const outputs = await readStackOutputs(clients.cloudFormation, program.opts<GlobalOptions>());
    const { resourcesFrom } = await lazy.resources();
    return { clients, resources: resourcesFrom(selectedStack(), outputs, overrides) };
  };

  const runWait = async (targets: WaitTarget[], clients: AwsClients, tableName: string | undefined, options: { timeout: number; out?: string; download: boolean }) => {
    const [{ waitForResults, waitExitCode }, { waitTable }] = await Promise.all([lazy.wait(), lazy.report()]);
    const results = await waitForResults(
      targets,
      { timeoutSeconds: options.timeout, outDir: options.download ? options.out : undefined, tableName },
      { s3: clients.s3, table: clients.table, progress: await progress(), sleep: io.sleep, now: io.now },
    );
    io.stdout(waitTable(results));
    return waitExitCode(results);
  };
  const setExit = (code: number) => {
    state.exitCode = Math.max(state.exitCode, code);
  };

  const addOverrides = (command: Command) =>
    command
      .option('--bucket <name>', 'document bucket (default: stack output BucketName)')
      .option('--endpoint <name>', 'endpoint (default: stack output EndpointName)')
      .option('--table <name>', 'summaries table (default: stack output SummariesTableName)');

  addOverrides(
    program
      .command('submit')
      .summary('upload documents and submit them for summarization')
      .description(
        'Upload documents and submit them for summarization. Text (.txt, .md) goes as it is; PDF, HTML and Word (.docx) documents are extracted here, with the pipeline\'s own module, and their text goes (text/plain). Text is wrapped as {"inputs": …, "parameters": …} only when --param is given; .json files are request payloads and go as they are. A document estimated to outlive the endpoint\'s invocation timeout is warned about (--strict refuses it). ' +
          'With the pipeline deployed, the upload under input/ is the submission; otherwise (or with --direct) the CLI calls InvokeEndpointAsync. Re-running the same batch skips what was already submitted.',
      )
      .argument('<inputs...>', 'files, folders or glob patterns')
      .option('--param <key=value>', 'parameter for text files, repeatable (e.g. --param max_length=256, --param long_documents=truncate)', collectParam, {})
      .option('--concurrency <n>', 'uploads and calls in flight', positiveInt('--concurrency', 64), 8)
      .option('--manifest <file>', 'where to record what was submitted (read first, to skip earlier submissions)', 'summarizer-manifest.json')
      .option('--direct', 'call InvokeEndpointAsync even when the pipeline is deployed (payloads then go under requests/)')
      .option('--dry-run', 'only show what each file is and what would be extracted and sent (no AWS calls)')
      .option('--strict', 'refuse a document estimated to outlive the endpoint\'s invocation timeout, rather than warn about it')
      .option('--wait', 'then wait for the results (see wait)')
      .option('--timeout <seconds>', 'with --wait: overall deadline', positiveInt('--timeout', 86_400), 3600)
      .option('--out <dir>', 'with --wait: where to write summaries', 'summaries'),
  ).action(async (inputs: string[], options: { param: Record<string, unknown>; concurrency: number; manifest: string; direct?: boolean; dryRun?: boolean; strict?: boolean; wait?: boolean; timeout: number; out: string } & ResourceOverrides) => {
    const warn = (file: string, message: string) => io.stderr(`warning: ${file}: ${message}\n`);
    const [{ expandInputs }, { previewDocuments, displayName }, { previewTable, extractedLine, submitTable }] = await Promise.all([lazy.documents(), lazy.preview(), lazy.report()]);
    if (options.dryRun) {
      const expanded = await expandInputs(inputs);
      const files = expanded.files.filter((f) => path.resolve(f) !== path.resolve(options.manifest));
      // No AWS call in a dry run: the invocation timeout is taken as the default, 900 s.
      const entries = await previewDocuments(files, expanded.unmatched, options.param, options.concurrency, { invocationTimeoutSeconds: 900, strict: options.strict ?? false, warn });
      io.stdout(previewTable(entries));
      if (entries.some((e) => e.status === 'rejected')) setExit(1);
      return;
    }
    const { clients, resources } = await resolve(options);
    const [{ requireAcceptingEndpoint }, { readManifest, writeManifest }, { directWaker }, { submitDocuments }] = await Promise.all([lazy.status(), lazy.manifest(), lazy.wake(), lazy.submit()]);
    const mode = resources.hasPipeline && !options.direct ? 'pipeline' : 'direct';
    // With the pipeline, uploads wait safely in its queue; a direct call would fail file by file.
    if (mode === 'direct') await requireAcceptingEndpoint(clients.sagemaker, resources.endpointName);
    const previous = fs.existsSync(options.manifest) ? readManifest(options.manifest) : undefined;
    const expanded = await expandInputs(inputs);
    // The manifest itself is JSON and may sit in the folder being submitted: never send it.
    const files = expanded.files.filter((f) => path.resolve(f) !== path.resolve(options.manifest));
    const { unmatched } = expanded;
    const manifest = await submitDocuments(files, unmatched, {
      resources,
      mode,
      parameters: options.param,
      concurrency: options.concurrency,
      previous,
      strict: options.strict,
    }, {
      onWarning: warn,
      s3: clients.s3,
      runtime: clients.runtime,
      progress: await progress(),
      sleep: io.sleep,
      waker: mode === 'direct' ? directWaker(clients.sagemaker, resources, files.length, io.stderr) : undefined,
      onPrepared: (e) => {
        const extracted = extractedLine(e);
        if (extracted) io.stderr(`${displayName(e.file)}: ${extracted}\n`);
      },
    });
    writeManifest(options.manifest, manifest);
    io.stdout(submitTable(manifest));
    io.stderr(`manifest written to ${options.manifest}\n`);
    const problems = manifest.entries.filter((e) => e.status === 'rejected' || e.status === 'failed').length;
    if (problems > 0) setExit(1);
    if (options.wait) setExit(await runWait(targetsOf(manifest), clients, resources.tableName, { timeout: options.timeout, out: options.out, download: true }));
  });

  program
    .command('extract')
    .summary('show the text that would be summarized, and what was removed')
    .description(
      'Extract documents exactly as the pipeline and submit do (PDF, HTML, Word, text) and print the text that would be summarized, or write it to --out DIR as <name>.txt. Reports per file what was removed: running headers and footers, page numbers, hidden elements, consent banners, permalink marks, a reference section set aside (written to <name>.references.txt). No AWS calls. Exit 1 if any file is refused.',
    )
    .argument('<inputs...>', 'files, folders or glob patterns')
    .option('--out <dir>', 'write each text to <dir>/<name>.txt instead of printing it')
    .action(async (inputs: string[], options: { out?: string }) => {
      const [{ expandInputs }, { extractFiles }] = await Promise.all([lazy.documents(), lazy.extract()]);
      const expanded = await expandInputs(inputs);
      setExit(await extractFiles(expanded.files, expanded.unmatched, options.out, io));
    });

  program
    .command('wait')
    .summary('wait for results, download summaries, report failures')
    .description('Wait for results: polls both the output and the failure location (or the summaries table) with backoff until done or the deadline. Exit code 1 if any request failed, 2 if any is still pending at the deadline.')
    .argument('<targets...>', 'a manifest file from submit, or inference ids (looked up in the summaries table)')
    .option('--timeout <seconds>', 'overall deadline', positiveInt('--timeout', 86_400), 3600)
    .option('--out <dir>', 'where to write summaries (<name>.summary.txt and the raw <name>.out.json)', 'summaries')
    .option('--no-download', 'do not write summaries to disk')
    .option('--table <name>', 'summaries table (default: stack output SummariesTableName)')
    .action(async (args: string[], options: { timeout: number; out: string; download: boolean; table?: string }) => {
      const clients = await clientsFor();
      if (args.length === 1 && args[0].endsWith('.json') && fs.existsSync(args[0])) {
        const manifest = (await lazy.manifest()).readManifest(args[0]);
        setExit(await runWait(targetsOf(manifest), clients, options.table ?? manifest.tableName, options));
        return;
      }
      const outputs = options.table ? {} : await readStackOutputs(clients.cloudFormation, program.opts<GlobalOptions>());
      const tableName = requireOutput(outputs, 'SummariesTableName', '--table (waiting by inference id needs the pipeline table; otherwise pass the manifest)', options.table);
      setExit(await runWait(args.map((id) => ({ name: id, inferenceId: id })), clients, tableName, options));
    });

  program
    .command('preflight')
    .summary('check the account and region before a deploy (quota, image, bootstrap, scaling role, staged model, VPC)')
    .description(
      'Before a deploy: the SageMaker quota for the instance type as an endpoint is at least maxCapacity, the inference image exists in this region, CDK bootstrap is present, the auto scaling service-linked role exists or can be created, a modelDataUrl artifact can be read, a staged model (modelSource) is completely staged for the configured commit, and VPC subnets and security groups are of one VPC. Reads the same configuration as cdk synth (cdk.json, --context, --context config=<file>). Exit 0 when nothing failed (warnings allowed), 1 otherwise.',
    )
    .option('--context <key=value>', 'configuration, as cdk -c (repeatable)', collectParam, {})
    .action(async (options: { context: Record<string, unknown> }) => {
      const context = { ...cdkJsonContext(), ...Object.fromEntries(Object.entries(options.context).map(([k, v]) => [k, String(v)])) };
      const [{ loadConfig }, { preflight, formatChecks }] = await Promise.all([lazy.config(), lazy.preflight()]);
      let config;
      try {
        config = loadConfig(context);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      const clients = await clientsFor();
      let region: string;
      try {
        region = program.opts<GlobalOptions>().region ?? (await clients.sts.config.region());
      } catch (error) {
        explainAwsError(error, 'finding the region');
      }
      const checks = await preflight(config, region, clients);
      io.stdout(`preflight for ${stackName(config.stage)} in ${region}: ${config.instanceType} × up to ${config.maxCapacity}\n${formatChecks(checks)}`);
      if (checks.some((c) => c.result === 'fail')) setExit(1);
    });

  program
    .command('stage-model')
    .summary('copy a Hub model once into the stack\'s bucket, so the endpoint never downloads it')
    .description(
      'Copy a Hugging Face Hub model at one revision into S3, uncompressed, as SageMaker loads it (models/<id>/<commit>/ in the stack\'s bucket, or --to s3://<bucket>/<prefix>/), then deploy with -c modelSource=staged. ' +
        'Only what the model needs: safetensors weights when the repository has them (no second weight format), the configuration and the tokenizer. Transfers are ranged, parallel, resumable (run it again after an interruption) and checked against the Hub\'s SHA-256 or git object ids; a second run copies nothing. ' +
        'HF_TOKEN is sent for gated or private models (to the Hub only); HF_ENDPOINT names a Hub mirror. Prints the -c settings to deploy with.',
    )
    .argument('<model>', 'model id and revision, <id>@<revision>, e.g. google/pegasus-large@main (a branch or tag is resolved to its commit)')
    .option('--to <s3-prefix>', 'stage here instead of the stack\'s bucket (deploy with -c modelSource=<s3-prefix>)')
    .option('--bucket <name>', 'the stack\'s bucket (default: stack output BucketName)')
    .option('--concurrency <n>', 'files transferred at once', positiveInt('--concurrency', 16), 2)
    .option('--cache <dir>', 'where downloads wait until uploaded, and are resumed from')
    .action(async (model: string, options: { to?: string; bucket?: string; concurrency: number; cache?: string }) => {
      const match = /^([A-Za-z0-9][\w.-]{0,95}(?:\/[\w.-]{1,96})?)@([\w./-]{1,128})$/.exec(model);
      if (!match) throw new CliError(`expected <model id>@<revision>, such as google/pegasus-large@main, got "${model}"`);
      const [{ stageModel, stageReport, defaultCacheDir, STAGED_PREFIX_URL }, { Hub }] = await Promise.all([lazy.stageModel(), lazy.hub()]);
      const to = options.to === undefined ? undefined : STAGED_PREFIX_URL.exec(options.to);
      if (options.to !== undefined && !to) throw new CliError(`--to: expected an S3 prefix ending in "/", such as s3://my-models/pegasus/, got "${options.to}"`);
      const clients = await clientsFor();
      const bucket = to ? to[1] : options.bucket ?? requireOutput(await readStackOutputs(clients.cloudFormation, program.opts<GlobalOptions>()), 'BucketName', '--bucket');
      const hub = new Hub({ endpoint: process.env.HF_ENDPOINT, token: process.env.HF_TOKEN || undefined, sleep: io.sleep });
      const result = await stageModel(
        { modelId: match[1], revision: match[2], bucket, prefix: to?.[2], cacheDir: options.cache ?? defaultCacheDir(), concurrency: options.concurrency },
        { hub, s3: clients.s3, progress: await progress(), log: (line) => io.stderr(`${line}\n`) },
      );
      io.stdout(stageReport(result, to === undefined));
    });

  program
    .command('smoke')
    .summary('after a deploy: one sample article end to end, with cold-start and latency figures')
    .description(
      'After a deploy: submit a sample article (through the pipeline when the stack has it), wait with a deadline long enough for a cold start, and check that a non-empty summary came back (with the pipeline, the record turning COMPLETED shows the success notification arrived). Prints time to first instance and latency. Exit 0 pass, 1 failure, 2 no result by the deadline.',
    )
    .option('--article <file>', 'the document to send', path.join(__dirname, '..', 'samples', 'articles', 'market-brief.txt'))
    .option('--timeout <seconds>', 'overall deadline (a cold start takes 7-9 minutes)', positiveInt('--timeout', 86_400), 1800)
    .option('--poll <seconds>', 'how often to look', positiveInt('--poll', 600), 15)
    .action(async (options: { article: string; timeout: number; poll: number }) => {
      const { clients, resources } = await resolve({});
      const [{ requireAcceptingEndpoint }, { smokeTest, formatSmoke, smokeExitCode }] = await Promise.all([lazy.status(), lazy.smoke()]);
      await requireAcceptingEndpoint(clients.sagemaker, resources.endpointName);
      let report;
      try {
        report = await smokeTest(resources, { article: options.article, timeoutSeconds: options.timeout, pollSeconds: options.poll }, {
          s3: clients.s3,
          runtime: clients.runtime,
          sagemaker: clients.sagemaker,
          table: clients.table,
          now: io.now ?? Date.now,
          sleep: io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
        });
      } catch (error) {
        explainAwsError(error, `smoke-testing ${resources.stackName}`);
      }
      io.stdout(formatSmoke(report, resources));
      setExit(smokeExitCode(report));
    });

  program
    .command('drain')
    .summary('pause the pipeline and wait until the endpoint queue is empty (before replacing the endpoint)')
    .description(
      'Before a deploy that replaces the endpoint (a new instanceType): pause the pipeline, so new uploads wait in its ingest queue (kept 4 days), and wait until the endpoint has reported an empty queue for two minutes. Then deploy, then run `summarizer resume`. Exit 0 when drained, 2 at the deadline.',
    )
    .option('--timeout <seconds>', 'overall deadline', positiveInt('--timeout', 86_400), 3600)
    .option('--endpoint <name>', 'endpoint (default: stack output EndpointName)')
    .action(async (options: { timeout: number; endpoint?: string }) => {
      const clients = await clientsFor();
      const outputs = await readStackOutputs(clients.cloudFormation, program.opts<GlobalOptions>());
      const endpointName = requireOutput(outputs, 'EndpointName', '--endpoint', options.endpoint);
      const { setPipelineEnabled, waitForEmptyBacklog } = await lazy.drain();
      try {
        if (outputs.InvokerFunctionName) {
          const mappings = await setPipelineEnabled(clients.lambda, outputs.InvokerFunctionName, false);
          io.stderr(`pipeline paused (${mappings.length} event source mapping${mappings.length === 1 ? '' : 's'} of ${outputs.InvokerFunctionName} disabled): new uploads wait in the ingest queue\n`);
        }
        const outcome = await waitForEmptyBacklog(
          { endpointName, timeoutSeconds: options.timeout },
          { cloudWatch: clients.cloudWatch, now: io.now, sleep: io.sleep, onProgress: (b) => io.stderr(`${endpointName}: ${b === undefined ? 'no backlog datapoint yet' : `${b} queued`}\n`) },
        );
        if (outcome.drained) {
          io.stdout(`${endpointName} has nothing queued: deploy now, then run \`npx summarizer resume\`.\n`);
        } else {
          io.stdout(`${endpointName} still had ${outcome.backlog ?? 'an unknown number of'} requests queued at the deadline; the pipeline stays paused. Run drain again, or \`npx summarizer resume\` to give up.\n`);
          setExit(2);
        }
      } catch (error) {
        explainAwsError(error, `draining "${endpointName}"`);
      }
    });

  program
    .command('resume')
    .summary('let the pipeline submit again after drain (and the deploy)')
    .description('After `summarizer drain` and the deploy: re-enable the invoker\'s event source mapping, so the uploads that waited in the ingest queue go to the (new) endpoint.')
    .action(async () => {
      const clients = await clientsFor();
      const outputs = await readStackOutputs(clients.cloudFormation, program.opts<GlobalOptions>());
      const functionName = requireOutput(outputs, 'InvokerFunctionName', '--stack (resume needs the pipeline)');
      const { setPipelineEnabled } = await lazy.drain();
      try {
        const mappings = await setPipelineEnabled(clients.lambda, functionName, true);
        io.stdout(`pipeline resumed (${mappings.length} event source mapping${mappings.length === 1 ? '' : 's'} of ${functionName} enabled): queued uploads go to ${outputs.EndpointName ?? 'the endpoint'}\n`);
      } catch (error) {
        explainAwsError(error, `resuming "${functionName}"`);
      }
    });

  program
    .command('status')
    .summary('endpoint, instances, queue, scaling activities, alarms')
    .description('Endpoint status, instance counts, queue metrics over the last minutes, recent scaling activities (why it scaled), and alarms in ALARM.')
    .option('--minutes <n>', 'metric window', positiveInt('--minutes', 1440), 60)
    .option('--json', 'machine-readable output')
    .option('--endpoint <name>', 'endpoint (default: stack output EndpointName)')
    .action(async (options: { minutes: number; json?: boolean; endpoint?: string }) => {
      // Only the endpoint is needed: with --endpoint, the stack is not even read.
      const clients = await clientsFor();
      const outputs = options.endpoint ? {} : await readStackOutputs(clients.cloudFormation, program.opts<GlobalOptions>());
      const endpointName = requireOutput(outputs, 'EndpointName', '--endpoint', options.endpoint);
      const { endpointStatus, formatStatus } = await lazy.status();
      const status = await endpointStatus({ endpointName, stackName: selectedStack() }, options.minutes, clients);
      io.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      if (status.status !== 'InService' || Object.keys(status.unreadable).length > 0) setExit(1);
    });

  addOverrides(
    program
      .command('load')
      .summary('load-test the endpoint and report latency and scaling')
      .description('Load test: submit --count requests built from sample articles at --rate per second, then report throughput, completion latency (p50/p95/p99), failures and how the endpoint scaled out and back to zero.')
      .requiredOption('--count <n>', 'requests to submit', positiveInt('--count', 1_000_000))
      .requiredOption('--rate <perSecond>', 'target submissions per second', positiveInt('--rate', 10_000))
      .option('--concurrency <n>', 'calls in flight', positiveInt('--concurrency', 256), 32)
      .option('--articles <dir>', 'folder of sample articles', path.join(__dirname, '..', 'samples', 'articles'))
      .option('--timeout <seconds>', 'how long to follow the run', positiveInt('--timeout', 86_400), 7200)
      .option('--poll <seconds>', 'seconds between progress checks', positiveInt('--poll', 3600), 30)
      .option('--watch-scale-in', 'keep watching until the endpoint is back at zero instances')
      .option('--no-track', 'only submit; do not wait for results'),
  ).action(async (options: { count: number; rate: number; concurrency: number; articles: string; timeout: number; poll: number; watchScaleIn?: boolean; track: boolean } & ResourceOverrides) => {
    const { clients, resources } = await resolve(options);
    const [{ expandInputs }, { requireAcceptingEndpoint }, { uploadSamplePayloads, submitLoadRequests, trackLoad, formatLoadReport }, { directWaker }] = await Promise.all([
      lazy.documents(),
      lazy.status(),
      lazy.load(),
      lazy.wake(),
    ]);
    const { files } = await expandInputs([options.articles]);
    await requireAcceptingEndpoint(clients.sagemaker, resources.endpointName);
    const locations = await uploadSamplePayloads(files, resources, clients.s3);
    if (locations.length === 0) throw new CliError(`no usable sample articles in "${options.articles}" (.txt, .md or .json).`);
    const runId = new Date((io.now ?? Date.now)()).toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
    const waker = directWaker(clients.sagemaker, resources, options.count, io.stderr);
    const deps = { s3: clients.s3, runtime: clients.runtime, sagemaker: clients.sagemaker, progress: await progress(), sleep: io.sleep, now: io.now, waker };
    const submissions = await submitLoadRequests(locations, { resources, count: options.count, ratePerSecond: options.rate, concurrency: options.concurrency, runId }, deps);
    const report = await trackLoad(submissions, resources, { timeoutSeconds: options.track ? options.timeout : 0, pollSeconds: options.poll, watchScaleIn: options.watchScaleIn ?? false }, deps);
    io.stdout(formatLoadReport(report));
    if (report.submitErrors > 0 || report.failed > 0) setExit(1);
    else if (options.track && report.unfinished > 0) setExit(2);
  });

  program
    .command('subscribe')
    .summary('subscribe an email address to the notifications')
    .description('Subscribe an email address to the success and error topics (or, with --operations, to the alarm topic). SNS sends a confirmation email. The result topics carry summaries and admit only the addresses in notificationEmails (and the pipeline queue): for another address, add it there and deploy.')
    .requiredOption('--email <address>', 'address to subscribe')
    .option('--operations', 'subscribe to the operations (alarm) topic instead')
    .option('--topic <arn>', 'topic ARN to subscribe to instead of the stack\'s (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .action(async (options: { email: string; operations?: boolean; topic?: string[] }) => {
      // Only the topics are needed: with --topic, the stack is not even read.
      const clients = await clientsFor();
      const outputs = options.topic ? {} : await readStackOutputs(clients.cloudFormation, program.opts<GlobalOptions>());
      const wanted = options.operations ? ['OperationsTopicArn'] : ['SuccessTopicArn', 'ErrorTopicArn'];
      const arns = options.topic ?? wanted.map((key) => requireOutput(outputs, key, '--topic'));
      const topics = await (await lazy.subscribe()).subscribeEmail(clients.sns, arns, options.email);
      io.stdout(`subscribed ${options.email} to ${topics.join(', ')}; confirm the email from AWS Notifications.\n`);
    });

  program
    .command('cleanup')
    .summary('remove what cdk destroy leaves behind (dry run unless --yes)')
    .description('After cdk destroy: remove what it leaves behind by design (retained buckets with every object version, the retained summaries table, the endpoints\' log groups, a scalable target still registered). Lists them unless --yes.')
    .option('--yes', 'really delete them')
    .action(async (options: { yes?: boolean }) => {
      const clients = await clientsFor();
      const leftovers = await (await lazy.cleanup()).findLeftovers(selectedStack(), program.opts<GlobalOptions>().stage, clients);
      if (leftovers.length === 0) {
        io.stdout(`nothing left behind by ${selectedStack()}.\n`);
        return;
      }
      for (const l of leftovers) io.stdout(`${options.yes ? 'removing' : 'would remove'} ${l.kind} ${l.name}: ${l.action}\n`);
      if (!options.yes) {
        io.stdout('dry run: nothing was deleted. Run again with --yes to delete the above (this cannot be undone).\n');
        return;
      }
      for (const l of leftovers) await l.remove();
      io.stdout(`removed ${leftovers.length} resource${leftovers.length === 1 ? '' : 's'}. Retained KMS keys are not touched: schedule their deletion in the KMS console once nothing needs them.\n`);
    });

  const summaries = program.command('summaries').summary('query the summaries table (pipeline)').description('Query the summaries recorded by the research pipeline.');

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
      const { summariesBetween, writeRecords } = await lazy.summaries();
      const file = options.out ? fs.openSync(options.out, 'w') : undefined;
      const write = file === undefined ? io.stdout : (chunk: string) => fs.writeSync(file, chunk);
      try {
        // Progress on long ranges only (a month or more), on standard error so the data stays clean.
        const bar = await progress();
        let started = false;
        let shown = 0;
        const onDays = (done: number, total: number) => {
          if (total < 31) return;
          if (!started) bar.start(total, 'Querying days');
          started = true;
          for (; shown < done; shown++) bar.increment();
        };
        const records = summariesBetween(clients.table, tableName, options.from, options.to, { status: options.status, onDays });
        const count = await writeRecords(records, options.format, write);
        if (started) bar.stop();
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
      const { summariesOfDocument, withCoverage } = await lazy.summaries();
      let records;
      try {
        records = await summariesOfDocument(clients.table, tableName, sourceKey);
      } catch (error) {
        explainAwsError(error, `querying table "${tableName}"`);
      }
      if (records.length === 0) throw new CliError(`no record for "${sourceKey}" (keys look like input/…; was it uploaded with the pipeline on?).`);
      for (const record of records) io.stdout(`${JSON.stringify(withCoverage(record))}\n`);
    });

  addExamples(program);
  return program;
}

/** Wait targets of a manifest: the entries that went through. */
function targetsOf(manifest: Manifest): WaitTarget[] {
  return manifest.entries
    .filter((e) => (e.status === 'submitted' || e.status === 'already-submitted') && e.inferenceId)
    .map((e) => ({ name: e.file, inferenceId: e.inferenceId!, outputLocation: e.outputLocation, failureLocation: e.failureLocation }));
}

/** Runs the CLI; resolves to the process exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const state: RunState = { exitCode: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return state.exitCode;
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
