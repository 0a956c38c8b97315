import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Resources } from '../resources';
import { submitDocuments } from './submit';
import { waitForResults, WaitOutcome, WaitTarget } from './wait';

/**
 * `summarizer smoke`: after a deploy, one real document end to end. With the pipeline, the
 * upload under input/ is the submission and the record turning COMPLETED proves the success
 * notification reached the recorder; without it, a direct submission and its output object.
 */
export interface SmokeSettings {
  readonly article: string;
  /** Long enough for a cold start (7-9 minutes) plus the work. */
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
}

export interface SmokeDeps {
  readonly s3: S3Client;
  readonly runtime: SageMakerRuntimeClient;
  readonly sagemaker: SageMakerClient;
  readonly table: DynamoDBDocumentClient;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface SmokeReport {
  readonly via: 'pipeline' | 'direct';
  readonly inferenceId?: string;
  readonly outcome: WaitOutcome;
  /** An instance was running when the request was sent. */
  readonly alreadyRunning: boolean;
  /** Seconds from the submission until an instance was first seen running (cold start). */
  readonly firstInstanceSeconds?: number;
  /** Seconds from the submission until the result was seen. */
  readonly latencySeconds?: number;
  /** Why the smoke test failed, when it did. */
  readonly problem?: string;
}

const instances = async (sagemaker: SageMakerClient, endpointName: string) =>
  (await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }))).ProductionVariants?.[0]?.CurrentInstanceCount ?? 0;

export async function smokeTest(resources: Resources, settings: SmokeSettings, deps: SmokeDeps): Promise<SmokeReport> {
  const via = resources.hasPipeline ? 'pipeline' : 'direct';
  // A new document every run: uploads are content-addressed, and the same text would be
  // recognised as already submitted.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summarizer-smoke-'));
  const file = path.join(dir, `smoke-${path.basename(settings.article)}`);
  fs.writeFileSync(file, `${fs.readFileSync(settings.article, 'utf8').trimEnd()}\n\n(summarizer smoke test, ${new Date(deps.now()).toISOString()})\n`);
  const manifest = await submitDocuments([file], [], { resources, mode: via, parameters: {}, concurrency: 1 }, { s3: deps.s3, runtime: deps.runtime, sleep: deps.sleep, now: () => new Date(deps.now()) });
  fs.rmSync(dir, { recursive: true, force: true });
  const [entry] = manifest.entries;
  if (entry.status !== 'submitted' || !entry.inferenceId) {
    return { via, outcome: { state: 'failed', reason: entry.reason ?? entry.status }, alreadyRunning: false, problem: `could not submit: ${entry.reason ?? entry.status}` };
  }

  const submittedAt = deps.now();
  const deadline = submittedAt + settings.timeoutSeconds * 1000;
  const target: WaitTarget = { name: path.basename(settings.article), inferenceId: entry.inferenceId, outputLocation: entry.outputLocation, failureLocation: entry.failureLocation };
  const alreadyRunning = (await instances(deps.sagemaker, resources.endpointName)) > 0;
  let firstInstanceAt = alreadyRunning ? submittedAt : undefined;
  let outcome: WaitOutcome = { state: 'timed-out' };
  for (;;) {
    if (firstInstanceAt === undefined && (await instances(deps.sagemaker, resources.endpointName)) > 0) firstInstanceAt = deps.now();
    [{ outcome }] = await waitForResults([target], { timeoutSeconds: 0, tableName: resources.tableName }, { s3: deps.s3, table: deps.table, now: deps.now, sleep: deps.sleep });
    if (outcome.state !== 'timed-out' || deps.now() >= deadline) break;
    await deps.sleep(Math.min(settings.pollSeconds * 1000, deadline - deps.now()));
  }
  const latencySeconds = outcome.state === 'timed-out' ? undefined : (deps.now() - submittedAt) / 1000;
  const firstInstanceSeconds = firstInstanceAt === undefined ? undefined : (firstInstanceAt - submittedAt) / 1000;
  const base = { via, inferenceId: entry.inferenceId, outcome, alreadyRunning, firstInstanceSeconds, latencySeconds } as const;
  if (outcome.state === 'timed-out') return { ...base, problem: `no result within ${settings.timeoutSeconds} s` };
  if (outcome.state === 'failed') return { ...base, problem: `the request failed: ${outcome.reason}` };
  if (!outcome.summary?.trim()) return { ...base, problem: 'the result has no summary text' };
  return base;
}

export function formatSmoke(r: SmokeReport, resources: Resources): string {
  const s = (v: number | undefined) => (v === undefined ? 'n/a' : `${Math.round(v)} s`);
  const lines = [
    `smoke test of ${resources.stackName} (${resources.endpointName}) via ${r.via === 'pipeline' ? 'the pipeline (upload under input/, record in the table)' : 'a direct submission'}`,
    `inference id      ${r.inferenceId ?? 'n/a'}`,
    `first instance    ${r.alreadyRunning ? 'already running' : r.firstInstanceSeconds === undefined ? 'never seen' : `after ${s(r.firstInstanceSeconds)} (cold start)`}`,
    `result            ${r.outcome.state}${r.latencySeconds === undefined ? '' : ` after ${s(r.latencySeconds)}`}`,
  ];
  if (r.outcome.state === 'completed') {
    lines.push(`summary           ${(r.outcome.summary ?? '').slice(0, 200)}`);
    if (r.outcome.coverage) lines.push(`                  [${r.outcome.coverage}]`);
  }
  lines.push(r.problem ? `FAIL: ${r.problem}` : 'PASS');
  return `${lines.join('\n')}\n`;
}

/** 0 passed; 2 no result by the deadline; 1 anything else. */
export const smokeExitCode = (r: SmokeReport) => (!r.problem ? 0 : r.outcome.state === 'timed-out' ? 2 : 1);
