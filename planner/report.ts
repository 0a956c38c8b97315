import { percentile } from '../common/statistics';
import type { ServiceAssumptions } from './inputs';
import type { SimulationResult } from './simulate';

export interface PolicyReport {
  readonly policy: string;
  readonly requests: number;
  /** Seconds from the first arrival to the first scale-out decision. */
  readonly firstScaleOutSeconds?: number;
  /** Seconds from the first arrival to the first result. */
  readonly firstResultSeconds?: number;
  readonly latencySeconds: { readonly p50?: number; readonly p95?: number; readonly p99?: number };
  /** Seconds from the last arrival to the last result. */
  readonly drainSeconds?: number;
  readonly instanceMinutes: number;
  readonly costUsd: number;
  /** Total work ÷ (max instances × concurrency), plus one cold start: no policy finishes sooner. */
  readonly lowerBoundSeconds: number;
  /** First arrival → last result, divided by the lower bound (1 is ideal). */
  readonly ratioToLowerBound?: number;
  readonly completed: number;
  readonly expired: number;
  readonly timedOut: number;
  readonly unfinished: number;
}

export function summarize(result: SimulationResult, assumptions: ServiceAssumptions): PolicyReport {
  const { policy, arrivals } = result;
  const first = arrivals[0] ?? 0;
  const last = arrivals[arrivals.length - 1] ?? 0;
  const price = assumptions.hourlyPriceUsd[policy.instanceType];
  if (price === undefined) {
    throw new Error(`no hourly price for ${policy.instanceType} in the service assumptions (hourlyPriceUsd); add one`);
  }
  const lowerBoundSeconds = result.workSeconds / (policy.maxCapacity * policy.concurrencyPerInstance) + (policy.fixedInstances ? 0 : assumptions.instanceStartupSeconds);
  const makespan = result.lastResultAt === undefined ? undefined : result.lastResultAt - first;
  return {
    policy: policy.name,
    requests: arrivals.length,
    firstScaleOutSeconds: result.firstScaleOutAt === undefined ? undefined : result.firstScaleOutAt - first,
    firstResultSeconds: result.firstResultAt === undefined ? undefined : result.firstResultAt - first,
    latencySeconds: { p50: percentile(result.latencies, 50), p95: percentile(result.latencies, 95), p99: percentile(result.latencies, 99) },
    drainSeconds: result.lastResultAt === undefined ? undefined : Math.max(0, result.lastResultAt - last),
    instanceMinutes: result.instanceSeconds / 60,
    costUsd: (result.instanceSeconds / 3600) * price,
    lowerBoundSeconds,
    ratioToLowerBound: makespan === undefined || result.unfinished + result.expired > 0 ? undefined : makespan / lowerBoundSeconds,
    completed: result.completed,
    expired: result.expired,
    timedOut: result.timedOut,
    unfinished: result.unfinished,
  };
}

const minutes = (s: number | undefined) => (s === undefined ? '—' : s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);

/** A Markdown table (renders in a terminal and in the README alike). */
export function reportTable(reports: readonly PolicyReport[]): string {
  const rows = [
    ['Policy', 'First scale-out', 'First result', 'p50', 'p95', 'p99', 'Drain', 'Instance-min', 'Cost', 'Lower bound', 'Ratio', 'Expired / unfinished'],
    ...reports.map((r) => [
      r.policy,
      minutes(r.firstScaleOutSeconds),
      minutes(r.firstResultSeconds),
      minutes(r.latencySeconds.p50),
      minutes(r.latencySeconds.p95),
      minutes(r.latencySeconds.p99),
      minutes(r.drainSeconds),
      r.instanceMinutes.toFixed(0),
      `$${r.costUsd.toFixed(2)}`,
      minutes(r.lowerBoundSeconds),
      r.ratioToLowerBound === undefined ? '—' : r.ratioToLowerBound.toFixed(2),
      `${r.expired + r.timedOut} / ${r.unfinished}`,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n') + '\n';
}
