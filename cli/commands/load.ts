import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Upload } from '@aws-sdk/lib-storage';
import type { EndpointWaker } from '../../common/endpoint-waker';
import { CONTENT_TYPES } from '../../common/submission';
import { withRetry } from '../../common/retry';
import { parseS3Url } from '../../common/summary-record';
import { percentile } from '../../common/statistics';
import { mapPool, RateLimiter } from '../concurrency';
import { prepareDocument } from '../documents';
import { Progress, silentProgress } from '../progress';
import { Resources } from '../resources';
import { payloadKey } from './submit';

export interface LoadSubmission {
  readonly inferenceId: string;
  readonly submittedAtMs: number;
  readonly outputLocation?: string;
  readonly failureLocation?: string;
  readonly error?: string;
}

export interface SubmitLoadSettings {
  readonly resources: Resources;
  readonly count: number;
  /** Target submissions per second. */
  readonly ratePerSecond: number;
  readonly concurrency: number;
  readonly runId: string;
}

export interface LoadDeps {
  readonly s3: S3Client;
  readonly runtime: SageMakerRuntimeClient;
  readonly sagemaker: SageMakerClient;
  readonly progress?: Progress;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Wakes the endpoint at zero after a submission, as the pipeline's invoker does (see `directWaker`). */
  readonly waker?: Pick<EndpointWaker, 'afterSubmit'>;
}

/** An uploaded sample and the content type SageMaker must be told it has. */
export interface SampleInput {
  readonly location: string;
  readonly contentType: string;
}

/** Uploads each sample article once; requests then reuse them. */
export async function uploadSamplePayloads(files: readonly string[], resources: Resources, s3: S3Client): Promise<SampleInput[]> {
  const samples: SampleInput[] = [];
  for (const file of files) {
    const prepared = await prepareDocument(file, {});
    if (!prepared.ok) continue;
    const key = payloadKey('direct', resources, prepared.contentId, prepared.kind);
    const contentType = CONTENT_TYPES[prepared.kind];
    await new Upload({ client: s3, params: { Bucket: resources.bucket, Key: key, Body: prepared.body(), ContentType: contentType } }).done();
    samples.push({ location: `s3://${resources.bucket}/${key}`, contentType });
  }
  return samples;
}

/**
 * Submits `count` requests at up to `ratePerSecond`, at most `concurrency` in flight, cycling
 * through the sample payloads. Throttled calls are retried with backoff; a call that still
 * fails is counted, not dropped.
 */
export async function submitLoadRequests(samples: readonly SampleInput[], settings: SubmitLoadSettings, deps: LoadDeps): Promise<LoadSubmission[]> {
  const now = deps.now ?? Date.now;
  const limiter = new RateLimiter(settings.ratePerSecond, now, deps.sleep);
  const progress = deps.progress ?? silentProgress;
  progress.start(settings.count, 'Submitting');
  const indexes = Array.from({ length: settings.count }, (_, i) => i);
  const results = await mapPool(indexes, settings.concurrency, async (i): Promise<LoadSubmission> => {
    await limiter.take();
    const inferenceId = `load-${settings.runId}-${i}`;
    const submittedAtMs = now();
    try {
      const response = await withRetry(
        () =>
          deps.runtime.send(
            new InvokeEndpointAsyncCommand({
              EndpointName: settings.resources.endpointName,
              InputLocation: samples[i % samples.length].location,
              ContentType: samples[i % samples.length].contentType,
              InferenceId: inferenceId,
              InvocationTimeoutSeconds: settings.resources.invocationTimeoutSeconds,
            }),
          ),
        { attempts: 6, baseDelayMs: 250, sleep: deps.sleep },
      );
      await deps.waker?.afterSubmit();
      return { inferenceId, submittedAtMs, outputLocation: response.OutputLocation, failureLocation: response.FailureLocation };
    } catch (e) {
      return { inferenceId, submittedAtMs, error: `${(e as Error).name}: ${(e as Error).message}` };
    } finally {
      progress.increment();
    }
  });
  progress.stop();
  return results;
}

export interface LoadReport {
  readonly requested: number;
  readonly submitted: number;
  readonly submitErrors: number;
  readonly submitSeconds: number;
  readonly submitRatePerSecond: number;
  readonly completed: number;
  readonly failed: number;
  readonly unfinished: number;
  readonly latencySeconds: { p50?: number; p95?: number; p99?: number };
  /** Seconds from the first submission until an instance was first seen running. */
  readonly firstInstanceAfterSeconds?: number;
  readonly maxInstances: number;
  /** Seconds from the last completion until the endpoint was seen at zero instances. */
  readonly backToZeroAfterSeconds?: number;
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, number>> {
  const keys = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.set(o.Key, o.LastModified?.getTime() ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * The longest prefix all of `keys` share: where this run's results can be, and nothing older.
 * (SageMaker names results after the inference id, and every id of a run starts the same.)
 */
export function sharedPrefix(keys: readonly string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0];
  for (const key of keys) {
    let i = 0;
    while (i < prefix.length && i < key.length && prefix[i] === key[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

/**
 * Follows a load run to the end: each round lists only where this run's results can be (the
 * prefix its output and failure locations share; one listing finds every finished request,
 * however many there are, and none from earlier runs), samples the instance count, and stops
 * when all requests finished (and, with `watchScaleIn`, the endpoint is back at zero) or at the
 * deadline.
 */
export async function trackLoad(
  submissions: readonly LoadSubmission[],
  resources: Resources,
  options: { timeoutSeconds: number; pollSeconds: number; watchScaleIn: boolean },
  deps: LoadDeps,
): Promise<LoadReport> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const submitted = submissions.filter((s) => !s.error);
  const start = Math.min(...submissions.map((s) => s.submittedAtMs));
  const lastSubmit = Math.max(...submissions.map((s) => s.submittedAtMs));
  const deadline = now() + options.timeoutSeconds * 1000;
  const finished = new Map<string, { at: number; ok: boolean }>();
  let firstInstanceAt: number | undefined;
  let zeroAt: number | undefined;
  let maxInstances = 0;

  const keysOf = (urls: Array<string | undefined>) => urls.map((u) => (u ? parseS3Url(u)?.key : undefined)).filter((k): k is string => k !== undefined);
  const outputPrefix = sharedPrefix(keysOf(submitted.map((s) => s.outputLocation))) || 'output/';
  const failurePrefix = sharedPrefix(keysOf(submitted.map((s) => s.failureLocation))) || 'failure/';
  for (;;) {
    const [outputs, failures] = await Promise.all([
      listKeys(deps.s3, resources.bucket, outputPrefix),
      listKeys(deps.s3, resources.bucket, failurePrefix),
    ]);
    for (const s of submitted) {
      if (finished.has(s.inferenceId)) continue;
      const failureKey = s.failureLocation && parseS3Url(s.failureLocation)?.key;
      const outputKey = s.outputLocation && parseS3Url(s.outputLocation)?.key;
      if (failureKey && failures.has(failureKey)) finished.set(s.inferenceId, { at: failures.get(failureKey)!, ok: false });
      else if (outputKey && outputs.has(outputKey)) finished.set(s.inferenceId, { at: outputs.get(outputKey)!, ok: true });
    }
    const endpoint = await deps.sagemaker.send(new DescribeEndpointCommand({ EndpointName: resources.endpointName }));
    const instances = endpoint.ProductionVariants?.[0]?.CurrentInstanceCount ?? 0;
    maxInstances = Math.max(maxInstances, instances);
    if (instances > 0 && firstInstanceAt === undefined) firstInstanceAt = now();
    const allDone = finished.size === submitted.length;
    if (allDone && instances === 0 && zeroAt === undefined) zeroAt = now();
    if ((allDone && (!options.watchScaleIn || zeroAt !== undefined)) || now() >= deadline) break;
    await sleep(Math.min(options.pollSeconds * 1000, Math.max(0, deadline - now())));
  }

  const latencies = submitted.filter((s) => finished.has(s.inferenceId)).map((s) => (finished.get(s.inferenceId)!.at - s.submittedAtMs) / 1000);
  const lastCompletion = Math.max(0, ...[...finished.values()].map((f) => f.at));
  const submitSeconds = Math.max(0.001, (lastSubmit - start) / 1000);
  return {
    requested: submissions.length,
    submitted: submitted.length,
    submitErrors: submissions.length - submitted.length,
    submitSeconds,
    submitRatePerSecond: submitted.length / submitSeconds,
    completed: [...finished.values()].filter((f) => f.ok).length,
    failed: [...finished.values()].filter((f) => !f.ok).length,
    unfinished: submitted.length - finished.size,
    latencySeconds: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
    firstInstanceAfterSeconds: firstInstanceAt === undefined ? undefined : (firstInstanceAt - start) / 1000,
    maxInstances,
    backToZeroAfterSeconds: zeroAt === undefined || lastCompletion === 0 ? undefined : Math.max(0, (zeroAt - lastCompletion) / 1000),
  };
}

export function formatLoadReport(r: LoadReport): string {
  const s = (v: number | undefined) => (v === undefined ? 'n/a' : `${Math.round(v * 10) / 10} s`);
  return [
    `Submitted        ${r.submitted}/${r.requested} in ${s(r.submitSeconds)} (${Math.round(r.submitRatePerSecond * 10) / 10} req/s)${r.submitErrors ? `, ${r.submitErrors} submit errors` : ''}`,
    `Finished         ${r.completed} completed, ${r.failed} failed, ${r.unfinished} unfinished at the deadline`,
    `Latency          p50 ${s(r.latencySeconds.p50)}, p95 ${s(r.latencySeconds.p95)}, p99 ${s(r.latencySeconds.p99)} (submit → result in S3)`,
    `Scaling          first instance after ${s(r.firstInstanceAfterSeconds)}, at most ${r.maxInstances} instances, back to zero ${s(r.backToZeroAfterSeconds)} after the last result`,
    '',
  ].join('\n');
}
