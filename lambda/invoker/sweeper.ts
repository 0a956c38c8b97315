import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand } from '@aws-sdk/client-sagemaker-runtime';
import { PENDING_METRIC, STUCK_METRIC } from '../../common/pipeline-metrics';
import { withRetry } from '../../common/retry';
import { invocationRequest, kindOfContentType } from '../../common/submission';
import { classifySubmissionError } from '../../common/submission-errors';
import { parseS3Url, type SummaryRecord, type SummaryStatus } from '../../common/summary-record';
import { recordResult } from '../shared/record-result';
import { byDayStatusPages } from './by-day';
import { InvokerDeps, markFailed, setStatusIf, submitObject } from './handler';

/**
 * The sweeper: the safety net under every path the invoker and the recorder know. It runs on a
 * schedule and looks at two kinds of record.
 *
 * SUBMITTING after the ingest queue's whole retry window (visibility timeout × maxReceiveCount):
 * no message is left that could finish it (its Lambda timed out or crashed on the last
 * delivery), so it is submitted once more through the same path, and if that fails too it is
 * recorded FAILED (retryable) with the reason. Either way it leaves SUBMITTING.
 *
 * PENDING whose result never reached the table: a notification dead-lettered or lost, or the
 * request lost with its endpoint (an endpoint replaced by an update is deleted with whatever is
 * queued on it). In this order:
 * 1. the output or failure object SageMaker wrote exists → the record is completed from it,
 *    exactly as the recorder would have (a lost notification is recovered);
 * 2. the endpoint the record was sent to was replaced and no longer exists → the request is
 *    submitted again, from its immutable staged copy under requests/, to the current endpoint;
 * 3. the request is older than its TTL plus the invocation timeout plus a grace → no result can
 *    come any more, and it is submitted again the same way;
 * at most `maxSubmissions` times in all, after which it is recorded FAILED (retryable) with the
 * reason. Nothing is resubmitted while a result may still come.
 */
export interface SweepSettings {
  /** Records SUBMITTING longer than this (seconds since they were claimed) are stuck. */
  readonly staleAfterSeconds: number;
  /** How many days of the byDay index to look through. */
  readonly lookbackDays: number;
  /** A record PENDING this long is checked for a result whose notification never arrived. */
  readonly pendingCheckAfterSeconds: number;
  /** PENDING this long, no result can come any more (request TTL + invocation timeout + grace). */
  readonly pendingDeadlineSeconds: number;
  /** Submissions of one document in all, the first included, before it is recorded FAILED. */
  readonly maxSubmissions: number;
  /** Most PENDING records one sweep looks at, oldest first; the next sweep takes the rest. */
  readonly maxPendingPerSweep: number;
}

export interface PendingReport {
  readonly checked: number;
  readonly recovered: number;
  readonly resubmitted: number;
  readonly failed: number;
}

export interface SweepReport {
  readonly stuck: number;
  readonly resubmitted: number;
  readonly failed: number;
  readonly pending: PendingReport;
}

const DAY_MS = 86_400_000;

/** Records whose status became `status` before `cutoff`, oldest day first, at most `limit`. */
async function findByStatus(status: SummaryStatus, cutoff: Date, lookbackDays: number, deps: InvokerDeps, limit = Infinity): Promise<SummaryRecord[]> {
  const found: SummaryRecord[] = [];
  for (let d = lookbackDays; d >= 0 && found.length < limit; d--) {
    const day = new Date(cutoff.getTime() - d * DAY_MS).toISOString().slice(0, 10);
    for await (const page of byDayStatusPages(deps.table, deps.settings.tableName, { day, status, to: cutoff.toISOString() })) {
      found.push(...((page.Items ?? []) as SummaryRecord[]));
      if (found.length >= limit) break;
    }
  }
  return found.slice(0, limit);
}

async function sweepSubmitting(record: SummaryRecord, now: Date, deps: InvokerDeps): Promise<'resubmitted' | 'failed'> {
  const since = record.statusAt.slice('SUBMITTING#'.length);
  const context = { inferenceId: record.inferenceId, key: record.sourceKey, since };
  const describe = (reason: string) => `stuck in SUBMITTING since ${since}; resubmitting failed: ${reason}`;
  if (!record.sourceBucket || !record.sourceKey || !record.sourceEtag) {
    await markFailed(record.inferenceId, describe('the record does not name its source object'), false, now, deps);
    return 'failed';
  }
  try {
    const outcome = await submitObject(
      {
        bucket: record.sourceBucket,
        key: record.sourceKey,
        etag: record.sourceEtag,
        size: record.sourceSize ?? 1,
        ...(record.sourceVersionId ? { versionId: record.sourceVersionId } : {}),
      },
      deps,
      { number: (record.attempt ?? 1) + 1, final: true, describeFinalFailure: describe },
    );
    deps.log('warn', 'swept a stuck submission', { ...context, outcome });
    return outcome === 'submitted' ? 'resubmitted' : 'failed';
  } catch (e) {
    // submitObject already recorded it FAILED (retryable) with the reason.
    deps.log('error', 'swept a stuck submission; resubmitting failed', { ...context, error: (e as Error).message });
    return 'failed';
  }
}

/** The object's LastModified if it exists; undefined when S3 answers 404. */
async function existing(url: string | undefined, deps: InvokerDeps): Promise<Date | undefined> {
  const location = url ? parseS3Url(url) : undefined;
  if (!location) return undefined;
  try {
    const head = await withRetry(() => deps.s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key })), {
      attempts: 3,
      baseDelayMs: 200,
      sleep: deps.sleep,
    });
    return head.LastModified ?? new Date(0);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

const isNotFound = (e: unknown) => ['NotFound', 'NoSuchKey'].includes((e as Error)?.name) || (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;

/** Changes a PENDING record only if it is still the PENDING the sweep read: a result the recorder wrote meanwhile wins. */
function updatePending(record: SummaryRecord, status: 'PENDING' | 'FAILED', attributes: Record<string, unknown>, now: Date, deps: InvokerDeps): Promise<boolean> {
  return setStatusIf(
    record.inferenceId,
    status,
    attributes,
    { expression: '#status = :pending AND #statusAt = :readStatusAt', values: { ':pending': 'PENDING', ':readStatusAt': record.statusAt } },
    now,
    deps,
  );
}

async function resubmitPending(record: SummaryRecord, why: string, sweep: SweepSettings, now: Date, deps: InvokerDeps): Promise<'resubmitted' | 'failed' | 'waiting'> {
  const { settings } = deps;
  const submissions = record.submissions ?? 1;
  const fail = async (reason: string, retryable: boolean) => {
    await updatePending(record, 'FAILED', { failureReason: reason, retryable, completedAt: now.toISOString() }, now, deps);
    deps.log('warn', 'a request without result recorded FAILED', { inferenceId: record.inferenceId, reason });
    return 'failed' as const;
  };
  if (submissions >= sweep.maxSubmissions) {
    return fail(`${why}; not submitted again: it was submitted ${submissions} time${submissions === 1 ? '' : 's'}`, true);
  }
  const location = record.inputLocation ? parseS3Url(record.inputLocation) : undefined;
  const kind = kindOfContentType(record.contentType);
  if (!location || !kind) return fail(`${why}; cannot submit it again: the record does not name the request it staged`, false);
  let response;
  try {
    const request = invocationRequest({
      endpointName: settings.endpointName,
      bucket: location.bucket,
      key: location.key,
      kind,
      inferenceId: record.inferenceId,
      invocationTimeoutSeconds: settings.invocationTimeoutSeconds,
    });
    response = await withRetry(() => deps.sagemaker.send(new InvokeEndpointAsyncCommand(request)), { attempts: 3, baseDelayMs: 200, sleep: deps.sleep });
  } catch (error) {
    const { permanent, reason } = classifySubmissionError(error);
    if (permanent) return fail(`${why}; submitting it again failed: ${reason}`, false);
    deps.log('error', 'a request without result could not be submitted again now; the next sweep tries again', { inferenceId: record.inferenceId, reason });
    return 'waiting';
  }
  const updated = await updatePending(
    record,
    'PENDING',
    {
      endpointName: settings.endpointName,
      submissions: submissions + 1,
      outputLocation: response.OutputLocation ?? null,
      failureLocation: response.FailureLocation ?? null,
      resubmittedAt: now.toISOString(),
      resubmitReason: why,
    },
    now,
    deps,
  );
  deps.log('warn', 'submitted a request without result again', { inferenceId: record.inferenceId, why, updated, outputLocation: response.OutputLocation });
  await deps.waker?.afterSubmit();
  return 'resubmitted';
}

async function sweepPending(record: SummaryRecord, sweep: SweepSettings, now: Date, deps: InvokerDeps): Promise<'recovered' | 'resubmitted' | 'failed' | 'waiting'> {
  const { settings } = deps;
  for (const [url, succeeded] of [[record.outputLocation, true], [record.failureLocation, false]] as const) {
    const written = await existing(url, deps);
    if (written === undefined) continue;
    await recordResult(
      {
        kind: 'result',
        inferenceId: record.inferenceId,
        succeeded,
        eventTime: written.toISOString(),
        inputLocation: record.inputLocation,
        ...(succeeded ? { outputLocation: url } : { failureLocation: url }),
      },
      deps,
      { recoveredBy: 'sweeper' },
    );
    deps.log('warn', 'recovered a result whose notification never arrived', { inferenceId: record.inferenceId, location: url });
    return 'recovered';
  }
  const sentTo = record.endpointName ?? settings.endpointName;
  if (sentTo !== settings.endpointName && deps.endpointExists && !(await deps.endpointExists(sentTo))) {
    return resubmitPending(record, `its endpoint ${sentTo} was replaced and deleted with its queue before a result came`, sweep, now, deps);
  }
  const since = new Date(record.statusAt.slice('PENDING#'.length));
  if (now.getTime() - since.getTime() >= sweep.pendingDeadlineSeconds * 1000) {
    const hours = (sweep.pendingDeadlineSeconds / 3600).toFixed(1);
    return resubmitPending(record, `no result ${hours} h after it was submitted at ${since.toISOString()} (past its queue TTL and invocation timeout)`, sweep, now, deps);
  }
  return 'waiting';
}

function emitMetrics(now: Date, deps: InvokerDeps, values: Record<string, unknown>): void {
  // One embedded-metric line: the StuckSubmissions and PendingWithoutResult alarms count what this run found.
  console.log(
    JSON.stringify({
      _aws: {
        Timestamp: now.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: STUCK_METRIC.namespace,
            Dimensions: [[STUCK_METRIC.dimension]],
            Metrics: [STUCK_METRIC.metricName, PENDING_METRIC.metricName].map((Name) => ({ Name, Unit: 'Count' })),
          },
        ],
      },
      [STUCK_METRIC.dimension]: deps.settings.tableName,
      ...values,
    }),
  );
}

export async function sweepStuckSubmissions(sweep: SweepSettings, deps: InvokerDeps): Promise<SweepReport> {
  const now = (deps.now ?? (() => new Date()))();
  const stuck = await findByStatus('SUBMITTING', new Date(now.getTime() - sweep.staleAfterSeconds * 1000), sweep.lookbackDays, deps);
  let [resubmitted, failed] = [0, 0];
  for (const record of stuck) {
    if ((await sweepSubmitting(record, now, deps)) === 'resubmitted') resubmitted++;
    else failed++;
  }

  const pending = await findByStatus('PENDING', new Date(now.getTime() - sweep.pendingCheckAfterSeconds * 1000), sweep.lookbackDays, deps, sweep.maxPendingPerSweep);
  const counts = { checked: pending.length, recovered: 0, resubmitted: 0, failed: 0 };
  for (const record of pending) {
    try {
      const outcome = await sweepPending(record, sweep, now, deps);
      if (outcome !== 'waiting') counts[outcome]++;
    } catch (e) {
      // Left PENDING: the next sweep looks again.
      deps.log('error', 'could not check a PENDING record; the next sweep looks again', { inferenceId: record.inferenceId, error: (e as Error).message });
    }
  }

  emitMetrics(now, deps, {
    [STUCK_METRIC.metricName]: stuck.length,
    [PENDING_METRIC.metricName]: counts.recovered + counts.resubmitted + counts.failed,
    resubmitted,
    failed,
    pending: counts,
  });
  return { stuck: stuck.length, resubmitted, failed, pending: counts };
}
