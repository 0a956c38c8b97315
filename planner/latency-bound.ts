import { instanceStartupSecondsFor, type ServiceAssumptions, workerSlowdown } from './inputs';
import { MinHeap } from './heap';
import type { ScalingPolicy } from './policy';

/**
 * The fewest instance-minutes with which ANY policy could serve these requests if every one of
 * them must finish within `latencySeconds` of its arrival: the bound a policy is measured against
 * at its own worst latency. The plain bound (work plus one cold start) lets requests wait without
 * limit, so it cannot see what quiet gaps and parallelism cost; this one can, and stays a proof,
 * not an estimate. With an infinite latency it is the plain bound.
 *
 * Notation: arrivals a₀ ≤ a₁ ≤ …, deadline aⱼ + L, cold start c (billed, not in service), w
 * requests in progress per instance. Every instance-second is startup or in service, so for any
 * policy: instance-time ≥ c × (instances started) + (in-service instance-time). Two lower bounds
 * follow; the result is the larger.
 *
 * 1. **Parallelism across episodes.** Split the arrivals where aⱼ₊₁ − aⱼ > L: between episodes lies
 *    a quiet interval I = (aⱼ + L, aⱼ₊₁) in which nothing may be processed (earlier requests are
 *    due, later ones have not arrived). Episode E's work must be done inside [first, last + L], so
 *    it needs Nₑ ≥ ⌈work ÷ (w × (last − first + L))⌉ instances in service. Each of them either
 *    started for E (≥ c) or idled through the preceding quiet interval (≥ |I|). Bound:
 *    work ÷ w + c × N₁ + Σₑ₌₂ Nₑ × min(|Iₑ|, c).
 *    (An earlier version also offered a tighter figure for "reactive" policies, assuming an
 *    instance started for an episode cannot serve before its first arrival plus c. It is not a
 *    bound for every policy meeting the latency: one that starts instances a cold start before
 *    each burst does better, as research-day showed, so it is gone.)
 * 2. **Coverage of every request's window.** Some instance is in service at a moment of each
 *    window [aⱼ, aⱼ + L]. Take the maximal intervals during which at least one instance is in
 *    service: each begins with an instance becoming ready (a startup of c, a different one for
 *    each), and, assigning each window to the first interval that meets it, each interval serves a
 *    consecutive run j…k of windows and is at least aₖ − (aⱼ + L) long. Bound: the cheapest split
 *    of the arrivals into runs, each costing c + max(0, aₖ − aⱼ − L), by dynamic programming in
 *    linear time (f is non-decreasing, so a two-pointer and a running minimum suffice).
 */
export function latencyBoundMinutes(
  policy: ScalingPolicy,
  arrivals: readonly number[],
  serviceSeconds: ArrayLike<number>,
  assumptions: ServiceAssumptions,
  latencySeconds: number,
): number {
  const n = arrivals.length;
  const workers = Math.max(1, Math.min(policy.workersPerInstance, policy.concurrencyPerInstance));
  const c = policy.fixedInstances ? 0 : instanceStartupSecondsFor(assumptions, policy.modelSource);
  const L = latencySeconds;
  const slowdown = workerSlowdown(assumptions, workers);
  const work = (i: number) => Math.min(serviceSeconds[i] * slowdown, policy.invocationTimeoutSeconds);
  if (n === 0) return 0;

  // 1. Episodes.
  let parallel = 0;
  let start = 0;
  let episodeWork = 0;
  let quietBefore = Infinity; // the first episode's instances all start cold
  for (let i = 0; i < n; i++) {
    episodeWork += work(i);
    const last = i === n - 1;
    const gap = last ? Infinity : arrivals[i + 1] - arrivals[i];
    if (last || gap > L) {
      const window = arrivals[i] - arrivals[start] + L;
      const instances = Math.max(1, Math.ceil(episodeWork / workers / window - 1e-9));
      parallel += episodeWork / workers + instances * Math.min(quietBefore, c);
      quietBefore = gap - L;
      start = i + 1;
      episodeWork = 0;
    }
  }

  // 2. Coverage: f[k] = cheapest cover of windows 0…k.
  let coverage = 0;
  if (Number.isFinite(L)) {
    const f = new Float64Array(n);
    const before = (j: number) => (j > 0 ? f[j - 1] : 0);
    let J = 0; // first j with a_j >= a_k - L
    let minSpanned = Infinity; // min over j < J of f(j-1) - a_j
    for (let k = 0; k < n; k++) {
      while (arrivals[J] < arrivals[k] - L) {
        minSpanned = Math.min(minSpanned, before(J) - arrivals[J]);
        J++;
      }
      f[k] = Math.min(c + before(J), c + arrivals[k] - L + minSpanned);
    }
    coverage = f[n - 1];
  }
  return Math.max(parallel, coverage) / 60;
}

/** What a schedule that knows the future achieves: an upper bound on the best possible, beside the lower bound. */
export interface Clairvoyant {
  readonly instanceMinutes: number;
  readonly maxLatencySeconds: number;
  /** Instances started for each episode. */
  readonly instancesPerEpisode: number[];
}

/**
 * A schedule that knows every arrival in advance: arrivals split into episodes where the gap
 * exceeds the latency L (no request of one can share an instance's time with the next), and for
 * each episode the fewest instances (at most maxCapacity) that, started one cold start before its
 * first arrival and taking requests in arrival order (each to the instance free soonest), finish
 * every request within L; an instance idle longer than a cold start stops and is started again a
 * cold start before its next request, and stops after its last. It is achievable, so the
 * best possible policy costs at most this: with the lower bound it brackets what any policy could
 * do at this latency. research-day's counterexample (2 instances 480 s before each burst) is one.
 */
export function clairvoyantSchedule(
  policy: ScalingPolicy,
  arrivals: readonly number[],
  serviceSeconds: ArrayLike<number>,
  assumptions: ServiceAssumptions,
  latencySeconds: number,
): Clairvoyant {
  const workers = Math.max(1, Math.min(policy.workersPerInstance, policy.concurrencyPerInstance));
  const c = policy.fixedInstances ? 0 : instanceStartupSecondsFor(assumptions, policy.modelSource);
  const slowdown = workerSlowdown(assumptions, workers);
  const work = (i: number) => Math.min(serviceSeconds[i] * slowdown, policy.invocationTimeoutSeconds);
  const L = Number.isFinite(latencySeconds) ? latencySeconds : Infinity;
  let instanceSeconds = 0;
  let maxLatency = 0;
  const instancesPerEpisode: number[] = [];
  let start = 0;
  for (let i = 0; i < arrivals.length; i++) {
    if (i < arrivals.length - 1 && arrivals[i + 1] - arrivals[i] <= L) continue;
    const episode = { from: start, to: i };
    let chosen: { seconds: number; latency: number; k: number } | undefined;
    for (let k = 1; k <= policy.maxCapacity; k++) {
      const run = listSchedule(arrivals, work, episode.from, episode.to, k, workers, c);
      chosen = { ...run, k };
      if (run.latency <= L) break;
    }
    instanceSeconds += chosen!.seconds;
    maxLatency = Math.max(maxLatency, chosen!.latency);
    instancesPerEpisode.push(chosen!.k);
    start = i + 1;
  }
  return { instanceMinutes: instanceSeconds / 60, maxLatencySeconds: maxLatency, instancesPerEpisode };
}

/** k instances of w slots, in service from the episode's first arrival (started c before it), taking requests in order. */
function listSchedule(arrivals: readonly number[], work: (i: number) => number, from: number, to: number, k: number, w: number, c: number): { seconds: number; latency: number } {
  const first = arrivals[from];
  // In service from the first arrival: started a cold start before it.
  const slots = new MinHeap<[number, number]>((x, y) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]));
  for (let s = 0; s < k * w; s++) slots.push([first, Math.floor(s / w)]);
  const busy: Array<Array<[number, number]>> = Array.from({ length: k }, () => []);
  let latency = 0;
  for (let j = from; j <= to; j++) {
    const [free, instance] = slots.pop()!;
    const start = Math.max(free, arrivals[j]);
    const end = start + work(j);
    latency = Math.max(latency, end - arrivals[j]);
    busy[instance].push([start, end]);
    slots.push([end, instance]);
  }
  // Each instance: a cold start, its busy time, and each idle gap or a restart, whichever is shorter.
  let seconds = 0;
  for (const intervals of busy) {
    if (intervals.length === 0) continue;
    intervals.sort((x, y) => x[0] - y[0]);
    seconds += c;
    let [openFrom, openTo] = intervals[0];
    for (const [s, e] of intervals.slice(1)) {
      if (s <= openTo) openTo = Math.max(openTo, e);
      else {
        seconds += openTo - openFrom + Math.min(s - openTo, c);
        [openFrom, openTo] = [s, e];
      }
    }
    seconds += openTo - openFrom;
  }
  return { seconds, latency };
}
