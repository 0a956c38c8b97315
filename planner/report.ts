import { percentile } from '../common/statistics';
import { instanceStartupSecondsFor, type ServiceAssumptions, workerSlowdown } from './inputs';
import { MinHeap } from './heap';
import { Clairvoyant, clairvoyantSchedule, latencyBoundMinutes } from './latency-bound';
import type { ScalingPolicy } from './policy';
import type { SimulationResult } from './simulate';

/**
 * What no policy can beat, from the requests alone: every request's service time (common random
 * numbers) whether or not a policy got to serve it, so the bound never shrinks when requests
 * expire.
 */
export interface Bounds {
  /** Instance-minutes the work needs: total service ÷ workers per instance, plus one cold start. */
  readonly instanceMinutes: number;
  /**
   * Seconds from the last arrival to the last result if `maxCapacity` instances came into service
   * one cold start after the first arrival and took requests in order (FIFO list scheduling).
   */
  readonly idealDrainSeconds: number;
}

export function bounds(policy: ScalingPolicy, arrivals: readonly number[], serviceSeconds: ArrayLike<number>, assumptions: ServiceAssumptions): Bounds {
  const workers = Math.max(1, Math.min(policy.workersPerInstance, policy.concurrencyPerInstance));
  const slowdown = workerSlowdown(assumptions, workers);
  let work = 0;
  for (let i = 0; i < arrivals.length; i++) work += Math.min(serviceSeconds[i] * slowdown, policy.invocationTimeoutSeconds);
  const coldStart = policy.fixedInstances ? 0 : instanceStartupSecondsFor(assumptions, policy.modelSource);
  const slots = new MinHeap<number>((a, b) => a < b);
  const opensAt = (arrivals[0] ?? 0) + coldStart;
  for (let i = 0; i < policy.maxCapacity * workers; i++) slots.push(opensAt);
  let lastResult = 0;
  for (let i = 0; i < arrivals.length; i++) {
    const free = slots.pop()!;
    const end = Math.max(free, arrivals[i]) + Math.min(serviceSeconds[i] * slowdown, policy.invocationTimeoutSeconds);
    lastResult = Math.max(lastResult, end);
    slots.push(end);
  }
  return {
    instanceMinutes: (work / workers + coldStart) / 60,
    idealDrainSeconds: Math.max(0, lastResult - (arrivals[arrivals.length - 1] ?? 0)),
  };
}

export interface PolicyReport {
  readonly policy: string;
  readonly requests: number;
  /** Seconds from the first arrival to the first scale-out decision. */
  readonly firstScaleOutSeconds?: number;
  /** Seconds from the first arrival until an instance was in service. */
  readonly firstInServiceSeconds?: number;
  /** Seconds from the first arrival to the first result. */
  readonly firstResultSeconds?: number;
  /** Over every request: one that expired, timed out or never finished counts as infinitely late. */
  readonly latencySeconds: { readonly p50?: number; readonly p95?: number; readonly p99?: number };
  /** Seconds from the last arrival to the last result; undefined while any request is unfinished. */
  readonly drainSeconds?: number;
  readonly instanceMinutes: number;
  readonly costUsd: number;
  readonly bounds: Bounds;
  /** instanceMinutes ÷ the instance-minutes bound (1 is the physical limit). */
  readonly ratioToBound: number;
  /** Worst end-to-end latency (∞ when a request expired, timed out or never finished). */
  readonly maxLatencySeconds: number;
  /** The fewest instance-minutes any policy could use with every request finished within maxLatencySeconds (latency-bound.ts). */
  readonly latencyBoundMinutes: number;
  /** instanceMinutes ÷ latencyBoundMinutes. */
  readonly ratioToLatencyBound: number;
  /** What a schedule knowing every arrival achieves within maxLatencySeconds (an upper bound on the best possible). */
  readonly clairvoyant?: Clairvoyant;
  readonly completed: number;
  readonly expired: number;
  readonly timedOut: number;
  readonly unfinished: number;
}

export function summarize(result: SimulationResult, assumptions: ServiceAssumptions, serviceSeconds: ArrayLike<number>): PolicyReport {
  const { policy, arrivals } = result;
  const first = arrivals[0] ?? 0;
  const last = arrivals[arrivals.length - 1] ?? 0;
  const price = assumptions.hourlyPriceUsd[policy.instanceType];
  if (price === undefined) {
    throw new Error(`no hourly price for ${policy.instanceType} in the service assumptions (hourlyPriceUsd); add one`);
  }
  const lost = result.expired + result.timedOut + result.unfinished;
  const all = lost === 0 ? result.latencies : result.latencies.concat(new Array<number>(lost).fill(Infinity));
  const since = (at: number | undefined) => (at === undefined ? undefined : Math.max(0, at - first));
  const b = bounds(policy, arrivals, serviceSeconds, assumptions);
  const instanceMinutes = result.instanceSeconds / 60;
  const maxLatencySeconds = lost > 0 ? Infinity : result.latencies.reduce((m, v) => Math.max(m, v), 0);
  const atLatency = Math.max(b.instanceMinutes, latencyBoundMinutes(policy, arrivals, serviceSeconds, assumptions, maxLatencySeconds));
  const clairvoyant = Number.isFinite(maxLatencySeconds) && policy.fixedInstances === undefined ? clairvoyantSchedule(policy, arrivals, serviceSeconds, assumptions, maxLatencySeconds) : undefined;
  return {
    policy: policy.name,
    requests: arrivals.length,
    firstScaleOutSeconds: since(result.firstScaleOutAt),
    firstInServiceSeconds: since(result.firstInServiceAt),
    firstResultSeconds: since(result.firstResultAt),
    latencySeconds: { p50: percentile(all, 50), p95: percentile(all, 95), p99: percentile(all, 99) },
    drainSeconds: lost > 0 || result.lastResultAt === undefined ? undefined : Math.max(0, result.lastResultAt - last),
    instanceMinutes,
    costUsd: (result.instanceSeconds / 3600) * price,
    bounds: b,
    ratioToBound: instanceMinutes / b.instanceMinutes,
    maxLatencySeconds,
    latencyBoundMinutes: atLatency,
    ratioToLatencyBound: instanceMinutes / atLatency,
    clairvoyant,
    completed: result.completed,
    expired: result.expired,
    timedOut: result.timedOut,
    unfinished: result.unfinished,
  };
}

const seconds = (s: number | undefined) => (s === undefined ? '—' : !Number.isFinite(s) ? '∞' : s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);

/** A Markdown table (renders in a terminal and in the README alike). */
export function reportTable(reports: readonly PolicyReport[]): string {
  const rows = [
    ['Policy', 'First scale-out', 'In service', 'p50', 'p95', 'Drain (ideal)', 'Instance-min (bound)', 'Ratio', 'Bound at its worst latency (ratio)', 'Clairvoyant at it', 'Cost', 'Expired / unfinished'],
    ...reports.map((r) => [
      r.policy,
      seconds(r.firstScaleOutSeconds),
      seconds(r.firstInServiceSeconds),
      seconds(r.latencySeconds.p50),
      seconds(r.latencySeconds.p95),
      `${seconds(r.drainSeconds)} (${seconds(r.bounds.idealDrainSeconds)})`,
      `${r.instanceMinutes.toFixed(0)} (${r.bounds.instanceMinutes.toFixed(0)})`,
      r.ratioToBound.toFixed(2),
      `${r.latencyBoundMinutes.toFixed(0)} (${r.ratioToLatencyBound.toFixed(2)}) at ${seconds(r.maxLatencySeconds)}`,
      r.clairvoyant ? r.clairvoyant.instanceMinutes.toFixed(0) : '—',
      `$${r.costUsd.toFixed(2)}`,
      `${r.expired + r.timedOut} / ${r.unfinished}`,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n') + '\n';
}

/** JSON numbers: `null` where a figure does not exist (or is infinite: a request never finished). */
const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000);

/** The machine-readable report `npm run plan -- --json` prints. */
export function reportJson(scenario: string, reports: readonly PolicyReport[]): string {
  const reference = reports[0];
  return `${JSON.stringify(
    {
      scenario,
      bounds: { instanceMinutes: num(reference?.bounds.instanceMinutes), idealDrainSeconds: num(reference?.bounds.idealDrainSeconds) },
      policies: reports.map((r) => ({
        name: r.policy,
        instanceMinutes: num(r.instanceMinutes),
        costUsd: num(r.costUsd),
        p50Seconds: num(r.latencySeconds.p50),
        p95Seconds: num(r.latencySeconds.p95),
        drainSeconds: num(r.drainSeconds),
        firstScaleOutSeconds: num(r.firstScaleOutSeconds),
        firstInServiceSeconds: num(r.firstInServiceSeconds),
        ratioToBound: num(r.ratioToBound),
        maxLatencySeconds: num(r.maxLatencySeconds),
        latencyBoundInstanceMinutes: num(r.latencyBoundMinutes),
        ratioToLatencyBound: num(r.ratioToLatencyBound),
        clairvoyantInstanceMinutes: num(r.clairvoyant?.instanceMinutes),
        clairvoyantMaxLatencySeconds: num(r.clairvoyant?.maxLatencySeconds),
        requests: r.requests,
        completed: r.completed,
        expired: r.expired,
        timedOut: r.timedOut,
        unfinished: r.unfinished,
      })),
    },
    null,
    2,
  )}\n`;
}
