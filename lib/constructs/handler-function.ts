import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PDFJS_DATA_DIR } from '../../common/extract/types';
import { acknowledgeNist, OWN_POLICY_REASON } from '../nag';

const LAMBDA_ROOT = path.join(__dirname, '..', '..', 'lambda');

/** Where this app's log groups go and how they are kept: named under one prefix, encrypted, retained. */
export interface LogSettings {
  /** Log group names start with this, e.g. `/pegasus-summarizer/dev/` (the key policy names it). */
  readonly prefix: string;
  readonly encryptionKey: kms.IKey;
  readonly retention: logs.RetentionDays;
}

export interface HandlerFunctionOptions {
  /** Directory under lambda/ holding index.ts. */
  readonly handlerDir: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  readonly logs: LogSettings;
  /**
   * Copy pdf.js's CMaps and standard font data next to the bundle (`pdfjs-data/`), for a function
   * that extracts PDFs: text in a font with a predefined CMap (most CJK PDFs) needs them.
   * @default false
   */
  readonly pdfjsData?: boolean;
  /**
   * What invokes the function, for the NIST 800-53 answers on dead-letter queues and concurrency:
   * an SQS event source (whose queue has the dead-letter queue and the concurrency bound), or
   * CloudFormation (a custom resource: a failure fails the deployment).
   *
   * @default 'cloudformation'
   */
  readonly invokedBy?: 'sqs' | 'cloudformation';
}

/** pdf.js's data folders, copied as they are (1.7 MB of CMaps, 0.8 MB of fonts). */
const PDFJS_ROOT = path.dirname(require.resolve('pdfjs-dist/package.json'));

/** After esbuild: `pdfjs-data/{cmaps,standard_fonts}` in the asset (with node, so it runs wherever cdk synth does). */
const pdfjsDataHooks: nodejs.ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir: string, outputDir: string) =>
    ['cmaps', 'standard_fonts'].map(
      (dir) => `node -e "require('fs').cpSync(process.argv[1], process.argv[2], { recursive: true })" "${path.join(PDFJS_ROOT, dir)}" "${path.join(outputDir, PDFJS_DATA_DIR, dir)}"`,
    ),
};

/**
 * One of this app's Lambda functions, the same way every time: `lambda/<dir>/index.ts` bundled
 * by the local esbuild (with the SDK we test against, and pdf.js's needs), Node 24 on ARM, X-Ray,
 * its own role without the AWSLambdaBasicExecutionRole managed policy, and its own log group
 * (`<prefix><id in lowercase>`, encrypted with the app key, retained as configured).
 * Created in `scope` as `<id>`, `<id>Role` and `<id>Logs`.
 */
export function handlerFunction(scope: Construct, id: string, options: HandlerFunctionOptions): nodejs.NodejsFunction {
  // Our own role: logs go to the one log group below, and every other permission is granted explicitly.
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName: `${options.logs.prefix}${id.toLowerCase()}`,
    encryptionKey: options.logs.encryptionKey,
    retention: options.logs.retention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const fn = new nodejs.NodejsFunction(scope, id, {
    entry: path.join(LAMBDA_ROOT, options.handlerDir, 'index.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    role,
    logGroup,
    environment: options.environment,
    tracing: lambda.Tracing.ACTIVE,
    bundling: {
      // Ship the SDK we test against rather than whatever the runtime has.
      bundleAwsSDK: true,
      minify: true,
      sourceMap: true,
      target: 'node24',
      // pdf.js (ESM) asks for import.meta.url to find optional native add-ons (@napi-rs/canvas,
      // for rendering we never do); in the CommonJS bundle that is this file's URL.
      banner: "const __summarizerImportMetaUrl = require('url').pathToFileURL(__filename).href;",
      define: { 'import.meta.url': '__summarizerImportMetaUrl' },
      externalModules: ['@napi-rs/canvas', 'canvas'],
      ...(options.pdfjsData ? { commandHooks: pdfjsDataHooks } : {}),
    },
  });
  logGroup.grantWrite(role);
  acknowledgeNist(role, 'IAMNoInlinePolicy', OWN_POLICY_REASON);
  acknowledgeNist(
    fn,
    'LambdaInsideVPC',
    'The functions call only AWS APIs (S3, SageMaker, SQS, DynamoDB, KMS) over TLS with roles scoped to this stack, and accept no connections; a VPC would add interface endpoints and cold starts and move no data boundary. The model container, which runs third-party code, is the component isolated from the network (README, "Models").',
  );
  if (options.invokedBy === 'sqs') {
    acknowledgeNist(fn, 'LambdaDLQ', 'Invoked by an SQS event source: a message that keeps failing goes to the queue\'s dead-letter queue (its redrive policy), where an alarm reports it; a function DLQ applies only to asynchronous invocations (the sweep schedule\'s target has its own dead-letter queue).');
    acknowledgeNist(fn, 'LambdaConcurrency', 'Concurrency is bounded by the SQS event source\'s MaximumConcurrency (pipelineMaxConcurrency), which does not take capacity away from the account\'s other functions as reserved concurrency would.');
  } else {
    acknowledgeNist(fn, 'LambdaDLQ', 'A CloudFormation custom resource: CloudFormation invokes it and waits for its answer; a failure fails the deployment, which is where it is reported.');
    acknowledgeNist(fn, 'LambdaConcurrency', 'A CloudFormation custom resource: it runs once per resource operation of a deployment, never concurrently beyond that.');
  }
  return fn;
}
