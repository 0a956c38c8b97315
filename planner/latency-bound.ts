import { instanceStartupSecondsFor, type ServiceAssumptions } from './inputs';
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
 *    For a **reactive** policy (`reactive`: it never starts an instance while nothing is queued
 *    or in progress, which the simulation checks), an instance started for E cannot be in
 *    service before E's first arrival + c, so it offers only w × (last + L − first − c) of
 *    capacity, against w × (last + L − first) for one kept through the quiet interval: the
 *    cheapest mix of kept (|I| each; none for the first episode) and started (c each) instances
 *    with the capacity E's work needs.
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
  reactive = false,
): number {
  const n = arrivals.length;
  const workers = Math.max(1, Math.min(policy.workersPerInstance, policy.concurrencyPerInstance));
  const c = policy.fixedInstances ? 0 : instanceStartupSecondsFor(assumptions, policy.modelSource);
  const L = latencySeconds;
  const work = (i: number) => Math.min(serviceSeconds[i], policy.invocationTimeoutSeconds);
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
      const entry = reactive ? reactiveEntryCost(episodeWork / workers, window, quietBefore, c) : undefined;
      parallel += episodeWork / workers + (entry ?? instances * Math.min(quietBefore, c));
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

/**
 * The cheapest way for a reactive policy to bring enough capacity into an episode whose work
 * takes `instanceSeconds` and must be done within `window` seconds of its first arrival: k
 * instances kept through the quiet interval before it (`quiet` seconds each, in service from the
 * start) and m started for it (c each, in service only after c). Undefined when no mix can do it
 * (then the policy was not reactive after all, and the plain count is used).
 */
function reactiveEntryCost(instanceSeconds: number, window: number, quiet: number, c: number): number | undefined {
  const started = Math.max(0, window - c); // capacity of one instance started for the episode
  const most = Number.isFinite(quiet) ? Math.ceil(instanceSeconds / window - 1e-9) : 0;
  let best: number | undefined;
  for (let kept = 0; kept <= Math.max(1, most) && kept <= 10_000; kept++) {
    if (kept > 0 && !Number.isFinite(quiet)) break;
    const rest = instanceSeconds - kept * window;
    const fresh = rest <= 1e-9 ? 0 : started > 0 ? Math.ceil(rest / started - 1e-9) : Infinity;
    if (kept + fresh === 0 || !Number.isFinite(fresh)) continue;
    const cost = (kept > 0 ? kept * quiet : 0) + fresh * c;
    if (best === undefined || cost < best) best = cost;
  }
  return best;
}
