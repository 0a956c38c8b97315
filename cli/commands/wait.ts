import * as fs from 'fs';
import * as path from 'path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describeCoverage, summaryDetailsFromResponse, summaryFromResponse } from '../../common/payload';
import { parseS3Url, SummaryRecord } from '../../common/summary-record';
import { backoff, mapPool } from '../concurrency';
import { Progress, silentProgress } from '../progress';
import { isNotFound } from '../../common/s3-errors';

/** One request to wait for. Direct submissions know their S3 locations; pipeline ones are looked up in the table. */
export interface WaitTarget {
  readonly name: string;
  readonly inferenceId: string;
  readonly outputLocation?: string;
  readonly failureLocation?: string;
}

export type WaitOutcome =
  | { readonly state: 'completed'; readonly summary?: string; readonly savedTo?: string; readonly coverage?: string }
  | { readonly state: 'failed'; readonly reason: string }
  | { readonly state: 'timed-out'; readonly lastError?: string };

export interface WaitResult {
  readonly target: WaitTarget;
  readonly outcome: WaitOutcome;
}

export interface WaitSettings {
  /** Where summaries are written (`<name>.summary.txt` and the raw `<name>.out.json`); undefined: do not download. */
  readonly outDir?: string;
  /** Overall deadline: the command never waits longer. */
  readonly timeoutSeconds: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Needed for targets without S3 locations (pipeline submissions). */
  readonly tableName?: string;
  readonly concurrency?: number;
}

export interface WaitDeps {
  readonly s3: S3Client;
  readonly table: DynamoDBDocumentClient;
  readonly progress?: Progress;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}


async function readIfExists(s3: S3Client, url: string): Promise<string | undefined> {
  const location = parseS3Url(url);
  if (!location) throw new Error(`not an S3 URL: ${url}`);
  try {
    await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  return object.Body!.transformToString('utf8');
}

/** One look at a request's result; undefined while it is still in progress. */
async function check(target: WaitTarget, settings: WaitSettings, deps: WaitDeps): Promise<{ outcome: WaitOutcome; response?: string } | undefined> {
  if (target.outputLocation || target.failureLocation) {
    // Both locations are polled: a failed request never writes an output, and waiting only
    // for the output would wait forever.
    if (target.failureLocation) {
      const failure = await readIfExists(deps.s3, target.failureLocation);
      if (failure !== undefined) return { outcome: { state: 'failed', reason: failure.trim() || 'failure report was empty' } };
    }
    if (target.outputLocation) {
      const response = await readIfExists(deps.s3, target.outputLocation);
      if (response !== undefined) {
        return { outcome: { state: 'completed', summary: summaryFromResponse(response), coverage: describeCoverage(summaryDetailsFromResponse(response)) }, response };
      }
    }
    return undefined;
  }
  if (!settings.tableName) throw new Error(`no S3 locations for ${target.inferenceId} and no summaries table to look it up in`);
  const record = (await deps.table.send(new GetCommand({ TableName: settings.tableName, Key: { inferenceId: target.inferenceId } }))).Item as SummaryRecord | undefined;
  if (record?.status === 'FAILED') return { outcome: { state: 'failed', reason: record.failureReason ?? 'failed without a reason' } };
  if (record?.status === 'COMPLETED') {
    const response = record.outputLocation ? await readIfExists(deps.s3, record.outputLocation) : undefined;
    return {
      outcome: {
        state: 'completed',
        summary: record.summary ?? (response ? summaryFromResponse(response) : undefined),
        coverage: describeCoverage(record.inputTokens !== undefined ? record : response ? summaryDetailsFromResponse(response) : {}),
      },
      response,
    };
  }
  return undefined;
}

function save(outDir: string, target: WaitTarget, summary: string | undefined, response: string | undefined): string {
  fs.mkdirSync(outDir, { recursive: true });
  const stem = path.join(outDir, path.basename(target.name).replace(/\.[^.]*$/, '') || target.inferenceId);
  if (response !== undefined) fs.writeFileSync(`${stem}.out.json`, response);
  if (summary !== undefined) fs.writeFileSync(`${stem}.summary.txt`, `${summary}\n`);
  return summary !== undefined ? `${stem}.summary.txt` : `${stem}.out.json`;
}

/**
 * Polls every target until it completes or fails, backing off between rounds, and stops at the
 * deadline whatever happens: targets still in progress then are reported as timed out.
 */
export async function waitForResults(targets: readonly WaitTarget[], settings: WaitSettings, deps: WaitDeps): Promise<WaitResult[]> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const progress = deps.progress ?? silentProgress;
  const deadline = now() + settings.timeoutSeconds * 1000;
  const outcomes = new Map<string, WaitOutcome>();
  const lastErrors = new Map<string, string>();
  const delays = backoff(settings.initialDelayMs ?? 5000, settings.maxDelayMs ?? 60_000);

  progress.start(targets.length, 'Waiting');
  for (;;) {
    const pending = targets.filter((t) => !outcomes.has(t.inferenceId));
    await mapPool(pending, settings.concurrency ?? 16, async (target) => {
      let result;
      try {
        result = await check(target, settings, deps);
      } catch (e) {
        // Possibly transient: look again next round, and report it if the deadline comes first.
        lastErrors.set(target.inferenceId, `${(e as Error).name}: ${(e as Error).message}`);
        return;
      }
      if (!result) return;
      let outcome = result.outcome;
      if (outcome.state === 'completed' && settings.outDir) {
        outcome = { ...outcome, savedTo: save(settings.outDir, target, outcome.summary, result.response) };
      }
      outcomes.set(target.inferenceId, outcome);
      progress.increment();
    });
    if (outcomes.size === targets.length) break;
    const remaining = deadline - now();
    if (remaining <= 0) break;
    await sleep(Math.min(delays.next().value as number, remaining));
  }
  progress.stop();
  return targets.map((target) => ({
    target,
    outcome: outcomes.get(target.inferenceId) ?? { state: 'timed-out', lastError: lastErrors.get(target.inferenceId) },
  }));
}

/** 0: all completed; 1: some failed; 2: some still pending at the deadline. */
export function waitExitCode(results: readonly WaitResult[]): number {
  if (results.some((r) => r.outcome.state === 'timed-out')) return 2;
  if (results.some((r) => r.outcome.state === 'failed')) return 1;
  return 0;
}
