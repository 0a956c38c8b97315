import { STUCK_METRIC } from '../../common/pipeline-metrics';
import type { SummaryRecord } from '../../common/summary-record';
import { byDayStatusPages } from './by-day';
import { InvokerDeps, markFailed, submitObject } from './handler';

/**
 * The sweeper: the safety net under every path the invoker knows. A record still SUBMITTING
 * after the ingest queue's whole retry window (visibility timeout × maxReceiveCount) has no
 * message left that could finish it — its Lambda timed out or crashed on the last delivery —
 * so it is submitted once more through the same path, and if that fails too it is recorded
 * FAILED (retryable) with the reason. Either way it leaves SUBMITTING.
 */
export interface SweepSettings {
  /** Records older than this (seconds since they were claimed) are stuck. */
  readonly staleAfterSeconds: number;
  /** How many days of the byDay index to look through. */
  readonly lookbackDays: number;
}

export interface SweepReport {
  readonly stuck: number;
  readonly resubmitted: number;
  readonly failed: number;
}


const DAY_MS = 86_400_000;

/** Every record SUBMITTING since before `cutoff`, over the last `lookbackDays` days. */
async function findStuck(cutoff: Date, lookbackDays: number, deps: InvokerDeps): Promise<SummaryRecord[]> {
  const found: SummaryRecord[] = [];
  for (let d = 0; d <= lookbackDays; d++) {
    const day = new Date(cutoff.getTime() - d * DAY_MS).toISOString().slice(0, 10);
    for await (const page of byDayStatusPages(deps.table, deps.settings.tableName, { day, status: 'SUBMITTING', to: cutoff.toISOString() })) {
      found.push(...((page.Items ?? []) as SummaryRecord[]));
    }
  }
  return found;
}

export async function sweepStuckSubmissions(sweep: SweepSettings, deps: InvokerDeps): Promise<SweepReport> {
  const now = (deps.now ?? (() => new Date()))();
  const cutoff = new Date(now.getTime() - sweep.staleAfterSeconds * 1000);
  const stuck = await findStuck(cutoff, sweep.lookbackDays, deps);
  let resubmitted = 0;
  let failed = 0;
  for (const record of stuck) {
    const since = record.statusAt.slice('SUBMITTING#'.length);
    const context = { inferenceId: record.inferenceId, key: record.sourceKey, since };
    const describe = (reason: string) => `stuck in SUBMITTING since ${since}; resubmitting failed: ${reason}`;
    if (!record.sourceBucket || !record.sourceKey || !record.sourceEtag) {
      await markFailed(record.inferenceId, describe('the record does not name its source object'), false, now, deps);
      failed++;
      continue;
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
      if (outcome === 'submitted') resubmitted++;
      else failed++;
      deps.log('warn', 'swept a stuck submission', { ...context, outcome });
    } catch (e) {
      // submitObject already recorded it FAILED (retryable) with the reason.
      failed++;
      deps.log('error', 'swept a stuck submission; resubmitting failed', { ...context, error: (e as Error).message });
    }
  }
  // One embedded-metric line: the StuckSubmissions alarm counts what this run found.
  console.log(
    JSON.stringify({
      _aws: {
        Timestamp: now.getTime(),
        CloudWatchMetrics: [
          { Namespace: STUCK_METRIC.namespace, Dimensions: [[STUCK_METRIC.dimension]], Metrics: [{ Name: STUCK_METRIC.metricName, Unit: 'Count' }] },
        ],
      },
      [STUCK_METRIC.dimension]: deps.settings.tableName,
      [STUCK_METRIC.metricName]: stuck.length,
      resubmitted,
      failed,
    }),
  );
  return { stuck: stuck.length, resubmitted, failed };
}
