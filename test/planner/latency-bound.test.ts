import { ServiceAssumptions, arrivalTimes, serviceTimes } from '../../planner/inputs';
import { latencyBoundMinutes } from '../../planner/latency-bound';
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
    // Foreseeing: window 897 s → ⌈3000 / 897⌉ = 4 instances, 4 × 480 each burst (480 < the 9,103 s gap).
    expect(seconds(latencyBoundMinutes(policy, arrivals, service, assumptions, 600))).toBe(2 * (3000 + 4 * 480));
    // Reacting: a started instance serves only 897 − 480 = 417 s → ⌈3000 / 417⌉ = 8 instances per burst.
    expect(seconds(latencyBoundMinutes(policy, arrivals, service, assumptions, 600, true))).toBe(2 * (3000 + 8 * 480));
  });

  test('reacting with a short quiet gap: keeping instances through it is cheaper than starting them again', () => {
    // Same bursts 1,000 s apart: the quiet gap is 1000 − 297 − 600 = 103 s. Keeping all 4 (3000 / 897) costs 412 s.
    const burst = (at: number) => Array.from({ length: 100 }, (_, i) => at + i * 3);
    const arrivals = [...burst(0), ...burst(1_000)];
    expect(seconds(latencyBoundMinutes(policy, arrivals, fill(200, 60), assumptions, 600, true))).toBe(3000 + 8 * 480 + 3000 + 4 * 103);
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
