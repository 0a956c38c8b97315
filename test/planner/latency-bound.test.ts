import * as path from 'path';
import { ServiceAssumptions, arrivalTimes, loadAssumptions, loadScenario, serviceTimes } from '../../planner/inputs';
import { clairvoyantSchedule, latencyBoundMinutes } from '../../planner/latency-bound';
import { blogPolicy, ScalingPolicy } from '../../planner/policy';
import { bounds, summarize } from '../../planner/report';
import { simulate } from '../../planner/simulate';
import { plannerAssumptions, plannerPolicy } from '../helpers/planner';

const assumptions: ServiceAssumptions = plannerAssumptions();
/** The shipped policy: two workers, the sized wake, the 12-minute backstop, the 2-minute idle scale-in. */
const policy: ScalingPolicy = plannerPolicy({
  workersPerInstance: 2,
  stepScaling: { adjustment: 1, cooldownSeconds: 600, alarm: { periodSeconds: 60, evaluationPeriods: 12, datapointsToAlarm: 12, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', statistic: 'Maximum' } },
  idleScaleIn: { periodSeconds: 60, evaluationPeriods: 2, datapointsToAlarm: 2, threshold: 0.5, cooldownSeconds: 60 },
  wakeOnSubmit: { backlogPerInstance: 5, maxInstances: 5 },
});
const zero = (n: number) => new Float64Array(n);
const fill = (n: number, s: number) => new Float64Array(n).fill(s);
const seconds = (minutes: number) => Math.round(minutes * 60 * 1000) / 1000;

describe('latencyBoundMinutes (hand-computed)', () => {
  test('an unlimited latency gives the plain bound: the work plus one cold start', () => {
    const arrivals = [0, 10_000, 20_000];
    const service = fill(3, 60);
    expect(latencyBoundMinutes(policy, arrivals, service, assumptions, Infinity)).toBeCloseTo(bounds(policy, arrivals, service, assumptions).instanceMinutes, 9);
  });

  test('coverage: requests every 300 s that must finish within 500 s are cheapest in runs of three, each one cold start plus 100 s of span', () => {
    // A run j…k costs 480 + max(0, a_k − a_j − 500): two → 480, three → 580, four → 880. Six arrivals: 580 + 580.
    const arrivals = [0, 300, 600, 900, 1200, 1500];
    expect(seconds(latencyBoundMinutes(policy, arrivals, zero(6), assumptions, 500))).toBe(1160);
    // With a latency longer than the whole span, one cold start covers everything.
    expect(seconds(latencyBoundMinutes(policy, arrivals, zero(6), assumptions, 2000))).toBe(480);
  });

  test('episodes: work that must finish within the latency needs instances in parallel, each paying a cold start (or the quiet gap, if kept)', () => {
    // Two bursts 10,000 s apart, 100 requests × 60 s each = 3,000 instance-seconds (2 workers); L = 600 s.
    const burst = (at: number) => Array.from({ length: 100 }, (_, i) => at + i * 3); // 297 s long
    const arrivals = [...burst(0), ...burst(10_000)];
    const service = fill(200, 60);
    // Window 897 s → ⌈3000 / 897⌉ = 4 instances, 4 × 480 each burst (480 < the 9,103 s gap).
    expect(seconds(latencyBoundMinutes(policy, arrivals, service, assumptions, 600))).toBe(2 * (3000 + 4 * 480));
  });

  test('a short quiet gap: keeping instances through it counts instead of a cold start', () => {
    // Same bursts 1,000 s apart: the quiet gap is 1000 − 297 − 600 = 103 s, cheaper than 480 s.
    const burst = (at: number) => Array.from({ length: 100 }, (_, i) => at + i * 3);
    const arrivals = [...burst(0), ...burst(1_000)];
    expect(seconds(latencyBoundMinutes(policy, arrivals, fill(200, 60), assumptions, 600))).toBe(3000 + 4 * 480 + 3000 + 4 * 103);
  });
});

describe('research-day: the counterexample to the old "reactive" bound', () => {
  // The shipped scenario and assumptions, as the reviewer ran them.
  const root = path.join(__dirname, '..', '..');
  const shipped = loadAssumptions(path.join(root, 'scenarios', 'service-assumptions.json'));
  const day = loadScenario(path.join(root, 'scenarios', 'research-day.json'));
  const arrivals = arrivalTimes(day, 42);
  const service = serviceTimes(arrivals.length, shipped, 42);
  const synthesized = { ...policy, workersPerInstance: 2, concurrencyPerInstance: 2 };

  test('2 instances started a cold start before each burst, serving in order, is a real schedule: the bound at its latency never exceeds its cost', () => {
    // Built by hand, not by clairvoyantSchedule: each burst's requests in order to the slot free soonest.
    const c = shipped.instanceStartupSeconds;
    let instanceSeconds = 0;
    let worst = 0;
    for (const burst of day.arrivals) {
      const requests = arrivals.map((a, i) => [a, i] as const).filter(([a]) => a >= burst.startSeconds && a <= burst.endSeconds);
      const slots = [0, 0, 1, 1].map((instance) => ({ free: requests[0][0], instance }));
      const lastEnd = [0, 0];
      for (const [a, i] of requests) {
        slots.sort((x, y) => x.free - y.free || x.instance - y.instance);
        const end = Math.max(slots[0].free, a) + service[i];
        worst = Math.max(worst, end - a);
        lastEnd[slots[0].instance] = Math.max(lastEnd[slots[0].instance], end);
        slots[0].free = end;
      }
      instanceSeconds += lastEnd.reduce((sum, end) => sum + end - (requests[0][0] - c), 0);
    }
    const minutes = instanceSeconds / 60;
    expect(worst).toBeLessThan(900); // within the synthesized policy's worst latency (about 800 s)
    expect(latencyBoundMinutes(synthesized, arrivals, service, shipped, worst)).toBeLessThanOrEqual(minutes);
    // The clairvoyant schedule the report prints finds one at least as cheap.
    const found = clairvoyantSchedule(synthesized, arrivals, service, shipped, worst);
    expect(found.maxLatencySeconds).toBeLessThanOrEqual(worst + 1e-6);
    expect(found.instanceMinutes).toBeLessThanOrEqual(minutes + 1e-6);
    expect(found.instancesPerEpisode).toEqual([2, 2, 2]);
  });

  test('the report\'s bound at the synthesized policy\'s worst latency is below its clairvoyant schedule', () => {
    const report = summarize(simulate(synthesized, arrivals, service, shipped, day.horizonSeconds), shipped, service);
    expect(report.clairvoyant).toBeDefined();
    expect(report.latencyBoundMinutes).toBeLessThanOrEqual(report.clairvoyant!.instanceMinutes);
    expect(report.instanceMinutes).toBeGreaterThanOrEqual(report.latencyBoundMinutes);
  });
});

describe('clairvoyantSchedule', () => {
  test('the fewest instances that meet the latency, each stopping after its last request (hand-computed)', () => {
    // 4 requests of 100 s at 0, 0, 0, 0; w = 2, c = 480: one instance finishes the second pair at 200 s.
    const run = clairvoyantSchedule(policy, [0, 0, 0, 0], fill(4, 100), assumptions, 200);
    expect(run).toEqual({ instanceMinutes: (480 + 200) / 60, maxLatencySeconds: 200, instancesPerEpisode: [1] });
    // Within 100 s: two instances, each 480 + 100.
    expect(clairvoyantSchedule(policy, [0, 0, 0, 0], fill(4, 100), assumptions, 100)).toEqual({ instanceMinutes: (2 * 580) / 60, maxLatencySeconds: 100, instancesPerEpisode: [2] });
  });
});

describe('no simulated policy beats its own latency bound (the bound is a proof, so this must hold for any traffic)', () => {
  const variants: ScalingPolicy[] = [
    policy,
    { ...policy, wakeOnSubmit: undefined },
    { ...policy, maxCapacity: 1, wakeOnSubmit: { backlogPerInstance: 5, maxInstances: 1 } },
    { ...policy, idleScaleIn: undefined, targetTracking: { targetValue: 2, scaleInCooldownSeconds: 60, scaleOutCooldownSeconds: 60 } },
    { ...policy, minCapacity: 1 },
    blogPolicy(policy),
  ];
  test.each(Array.from({ length: 12 }, (_, seed) => seed))('random traffic, seed %d', (seed) => {
    const scenario = {
      name: `random-${seed}`,
      horizonSeconds: 6 * 3600,
      arrivals: [
        { startSeconds: 600, endSeconds: 600 + 300 * (1 + (seed % 4)), count: 20 + 37 * seed, pattern: 'poisson' as const },
        { startSeconds: 5400, endSeconds: 9000, count: 3 + seed, pattern: 'poisson' as const },
        { startSeconds: 12_000 + 97 * seed, endSeconds: 12_100 + 97 * seed, count: 60, pattern: 'uniform' as const },
      ],
    };
    const arrivals = arrivalTimes(scenario, seed);
    const service = serviceTimes(arrivals.length, assumptions, seed);
    for (const p of variants) {
      const report = summarize(simulate(p, arrivals, service, assumptions, scenario.horizonSeconds), assumptions, service);
      expect([p.name, p.minCapacity, report.ratioToLatencyBound >= 1 - 1e-9]).toEqual([p.name, p.minCapacity, true]);
    }
  });
});
