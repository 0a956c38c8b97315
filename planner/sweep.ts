import type { ServiceAssumptions } from './inputs';
import type { ScalingPolicy } from './policy';
import { PolicyReport, summarize } from './report';
import { simulate } from './simulate';

export interface SweepGrid {
  readonly targetValues: readonly number[];
  /** [scale-out, scale-in] cooldown pairs, in seconds. */
  readonly cooldowns: ReadonlyArray<readonly [number, number]>;
  readonly maxCapacities: readonly number[];
}

export const DEFAULT_GRID: SweepGrid = {
  targetValues: [2, 5, 10, 20],
  cooldowns: [
    [60, 300],
    [120, 120],
    [300, 600],
  ],
  maxCapacities: [2, 5, 10],
};

export interface SweepPoint {
  readonly settings: { targetBacklogPerInstance: number; scaleOutCooldownSeconds: number; scaleInCooldownSeconds: number; maxCapacity: number };
  readonly report: PolicyReport;
}

/**
 * The base policy with one grid point's settings, as `npx cdk deploy` with the point's `-c` flags
 * would synthesize it: target tracking, the maximum, and the invoker's wake, which the stack
 * sizes from the same target and maximum.
 */
export function sweptPolicy(base: ScalingPolicy, settings: SweepPoint['settings']): ScalingPolicy {
  const { targetBacklogPerInstance: targetValue, scaleOutCooldownSeconds, scaleInCooldownSeconds, maxCapacity } = settings;
  return {
    ...base,
    name: `target ${targetValue}, cooldowns ${scaleOutCooldownSeconds}/${scaleInCooldownSeconds}, max ${maxCapacity}`,
    maxCapacity,
    minCapacity: Math.min(base.minCapacity, maxCapacity),
    targetTracking: { targetValue, scaleOutCooldownSeconds, scaleInCooldownSeconds },
    wakeOnSubmit: base.wakeOnSubmit && { backlogPerInstance: targetValue, maxInstances: maxCapacity },
  };
}

/** Runs every combination of the grid on the base policy, with the same arrivals and seed. */
export function sweep(base: ScalingPolicy, grid: SweepGrid, arrivals: readonly number[], serviceSeconds: ArrayLike<number>, assumptions: ServiceAssumptions, horizon: number): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const targetValue of grid.targetValues) {
    for (const [scaleOut, scaleIn] of grid.cooldowns) {
      for (const maxCapacity of grid.maxCapacities) {
        const settings = { targetBacklogPerInstance: targetValue, scaleOutCooldownSeconds: scaleOut, scaleInCooldownSeconds: scaleIn, maxCapacity };
        const policy = sweptPolicy(base, settings);
        points.push({ settings, report: summarize(simulate(policy, arrivals, serviceSeconds, assumptions, horizon), assumptions, serviceSeconds) });
      }
    }
  }
  return points;
}

/**
 * The cost vs p95-latency frontier: settings that finish every request and that no other
 * setting beats on both cost and p95. Sorted by cost; of settings with identical results, the
 * first in grid order stands for all.
 */
export function frontier(points: readonly SweepPoint[]): SweepPoint[] {
  const finished = points.filter((p) => p.report.unfinished + p.report.expired + p.report.timedOut === 0 && Number.isFinite(p.report.latencySeconds.p95));
  const dominated = (p: SweepPoint) =>
    finished.some(
      (q) =>
        q !== p &&
        q.report.costUsd <= p.report.costUsd &&
        q.report.latencySeconds.p95! <= p.report.latencySeconds.p95! &&
        (q.report.costUsd < p.report.costUsd || q.report.latencySeconds.p95! < p.report.latencySeconds.p95!),
    );
  // Settings that simulate identically (cooldowns that never came into play, say) count once.
  const seen = new Set<string>();
  return finished
    .filter((p) => !dominated(p))
    .sort((a, b) => a.report.costUsd - b.report.costUsd)
    .filter((p) => {
      const key = `${p.report.costUsd.toFixed(4)}|${p.report.latencySeconds.p95}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** How to deploy a point: the `-c` flags for cdk deploy. */
export function contextFlags(s: SweepPoint['settings']): string {
  return `-c targetBacklogPerInstance=${s.targetBacklogPerInstance} -c scaleOutCooldownSeconds=${s.scaleOutCooldownSeconds} -c scaleInCooldownSeconds=${s.scaleInCooldownSeconds} -c maxCapacity=${s.maxCapacity}`;
}
