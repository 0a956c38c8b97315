import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { arrivalTimes, DEFAULT_ASSUMPTIONS, loadAssumptions, loadScenario, ServiceAssumptions } from '../../planner/inputs';
import { alwaysOnPolicy, blogPolicy, readPolicyFromTemplate, ScalingPolicy } from '../../planner/policy';
import { summarize } from '../../planner/report';
import { simulate } from '../../planner/simulate';
import { frontier, sweep } from '../../planner/sweep';
import { buildTestApp } from '../helpers/app';

const SCENARIOS = path.join(__dirname, '..', '..', 'scenarios');
const assumptions: ServiceAssumptions = {
  ...DEFAULT_ASSUMPTIONS,
  instanceStartupSeconds: 480,
  serviceSecondsPerRequest: { distribution: 'lognormal', median: 6, p95: 14 },
  hourlyPriceUsd: { 'ml.g5.xlarge': 1.408 },
};

/** The default configuration's policy, as synthesized. */
const synthesized: ScalingPolicy = {
  name: 'synthesized',
  instanceType: 'ml.g5.xlarge',
  minCapacity: 0,
  maxCapacity: 5,
  concurrencyPerInstance: 2,
  invocationTimeoutSeconds: 900,
  targetTracking: { targetValue: 5, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 120 },
  stepScaling: { adjustment: 1, cooldownSeconds: 120, alarm: { periodSeconds: 60, evaluationPeriods: 2, datapointsToAlarm: 2, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold' } },
};

describe('one request into an idle endpoint (hand-computed)', () => {
  // Arrives at 60 s. HasBacklogWithoutCapacity datapoints: [0, 60) → 0, [60, 120) → 1, [120, 180) → 1.
  // The alarm needs 2 of 2 datapoints ≥ 1: it first holds at the 180 s evaluation.
  test('with the step policy: scale-out decided at 180 s, result after the 480 s cold start', () => {
    const r = simulate(synthesized, [60], assumptions, 7200, 1);
    expect(r.firstScaleOutAt).toBe(180);
    expect(r.decisions[0]).toEqual({ t: 180, from: 0, to: 1, by: 'step' });
    expect(r.firstResultAt).toBeGreaterThan(180 + 480);
    expect(r.firstResultAt! - (180 + 480)).toBeLessThan(60); // one service time
    expect(r.completed).toBe(1);
  });

  test('a step cooldown shorter than the cold start stacks instances for one request; the default 600 s does not', () => {
    // The alarm stays in ALARM until the first instance is in service (at 660 s) and is re-invoked
    // each minute; with a 120 s cooldown the policy adds an instance at 180, 300, 420, 540 s.
    const short = simulate(synthesized, [60], assumptions, 7200, 1);
    expect(short.decisions.filter((d) => d.by === 'step').map((d) => d.t)).toEqual([180, 300, 420, 540]);
    const long = simulate({ ...synthesized, stepScaling: { ...synthesized.stepScaling!, cooldownSeconds: 600 } }, [60], assumptions, 7200, 1);
    expect(long.decisions.filter((d) => d.by === 'step').map((d) => d.t)).toEqual([180]);
    expect(long.maxDesired).toBe(1);
    expect(long.instanceSeconds).toBeLessThan(short.instanceSeconds / 2);
  });

  test('without it (target tracking only): a backlog of 1 never exceeds the target of 5, so nothing starts', () => {
    const r = simulate(blogPolicy(synthesized), [60], assumptions, 7200, 1);
    expect(r.firstScaleOutAt).toBeUndefined();
    expect(r.completed).toBe(0);
    expect(r.unfinished).toBe(1);
    expect(r.instanceSeconds).toBe(0);
  });

  test('…and with a 1-hour request TTL that request expires', () => {
    const r = simulate(blogPolicy(synthesized), [60], { ...assumptions, requestTtlSeconds: 3600 }, 7200, 1);
    expect(r.expired).toBe(1);
    expect(r.unfinished).toBe(0);
  });

  test('target tracking alone wakes up once the backlog exceeds the target for 3 datapoints', () => {
    const arrivals = Array.from({ length: 6 }, () => 0);
    const r = simulate(blogPolicy(synthesized), arrivals, assumptions, 7200, 1);
    // Per-instance metric at zero instances = backlog = 6 > 5 at the 60, 120 and 180 s datapoints.
    expect(r.firstScaleOutAt).toBe(180);
    expect(r.decisions[0]).toEqual({ t: 180, from: 0, to: 2, by: 'target-tracking' }); // ceil(6 / 5)
  });
});

describe('invariants on the shipped scenarios', () => {
  const scenarios = ['blog-10k-burst', 'research-day', 'trickle', 'single-request'].map((n) => loadScenario(path.join(SCENARIOS, `${n}.json`)));
  const policies = [synthesized, blogPolicy(synthesized), alwaysOnPolicy(synthesized)];

  test.each(scenarios.flatMap((s) => policies.map((p) => [s.name, p.name, s, p] as const)))('%s / %s: conservation and capacity bounds', (_s, _p, scenario, policy) => {
    const arrivals = arrivalTimes(scenario, 7);
    const r = simulate(policy, arrivals, assumptions, scenario.horizonSeconds, 7);
    expect(r.completed + r.timedOut + r.expired + r.unfinished).toBe(arrivals.length);
    expect(r.latencies).toHaveLength(r.completed);
    expect(r.minDesired).toBeGreaterThanOrEqual(policy.minCapacity);
    expect(r.maxDesired).toBeLessThanOrEqual(policy.maxCapacity);
    for (const p of r.timeline) {
      expect(p.runningInstances + p.startingInstances).toBeLessThanOrEqual(policy.maxCapacity);
      expect(p.desiredCapacity).toBeGreaterThanOrEqual(policy.minCapacity);
    }
  });

  test('the blog burst: every request completes well before the horizon', () => {
    const scenario = scenarios[0];
    const arrivals = arrivalTimes(scenario, 42);
    for (const policy of policies) {
      const r = simulate(policy, arrivals, assumptions, scenario.horizonSeconds, 42);
      expect([r.completed, r.expired, r.unfinished]).toEqual([10_000, 0, 0]);
    }
  });

  test('target-tracking scale-in waits for 15 low datapoints and respects the scale-in cooldown', () => {
    const scenario = scenarios[1];
    const policy = { ...synthesized, targetTracking: { targetValue: 5, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 120 } };
    const r = simulate(policy, arrivalTimes(scenario, 3), assumptions, scenario.horizonSeconds, 3);
    const scaleIns = r.decisions.filter((d) => d.by === 'target-tracking' && d.to < d.from);
    expect(scaleIns.length).toBeGreaterThan(0);
    for (const [i, d] of scaleIns.entries()) {
      const index = r.timeline.findIndex((p) => p.t === d.t);
      const window = r.timeline.slice(index - 14, index + 1);
      expect(window).toHaveLength(15);
      for (const p of window) expect(p.backlogPerInstance).toBeLessThan(5 * 0.9);
      if (i > 0) expect(d.t - scaleIns[i - 1].t).toBeGreaterThanOrEqual(600);
    }
    expect(r.timeline[r.timeline.length - 1].desiredCapacity).toBe(0); // back to zero by the end of the day
  });

  test('the always-on endpoint never scales and bills the whole horizon', () => {
    const scenario = scenarios[2];
    const r = simulate(alwaysOnPolicy(synthesized), arrivalTimes(scenario, 1), assumptions, scenario.horizonSeconds, 1);
    expect(r.decisions).toEqual([]);
    expect(r.instanceSeconds).toBe(5 * scenario.horizonSeconds);
  });
});

test('determinism: the same seed gives the same run; another seed a different one', () => {
  const scenario = loadScenario(path.join(SCENARIOS, 'research-day.json'));
  const run = (seed: number) => simulate(synthesized, arrivalTimes(scenario, seed), assumptions, scenario.horizonSeconds, seed);
  expect(run(11)).toEqual(run(11));
  expect(run(11).latencies).not.toEqual(run(12).latencies);
});

test('requests longer than the invocation timeout fail as timed out', () => {
  const slow = { ...assumptions, serviceSecondsPerRequest: { distribution: 'lognormal' as const, median: 2000, p95: 2001 } };
  const r = simulate(alwaysOnPolicy(synthesized), [0, 1, 2], slow, 7200, 1);
  expect(r.timedOut).toBe(3);
  expect(r.completed).toBe(0);
});

test('report: lower bound is total work ÷ (max instances × concurrency) plus one cold start', () => {
  const r = simulate(synthesized, Array.from({ length: 100 }, (_, i) => i), assumptions, 7200, 5);
  const report = summarize(r, assumptions);
  expect(report.lowerBoundSeconds).toBeCloseTo(r.workSeconds / (5 * 2) + 480, 6);
  expect(report.ratioToLowerBound).toBeGreaterThanOrEqual(1);
  expect(report.costUsd).toBeCloseTo((r.instanceSeconds / 3600) * 1.408, 6);
  expect(() => summarize({ ...r, policy: { ...r.policy, instanceType: 'ml.x1.large' } }, assumptions)).toThrow('no hourly price for ml.x1.large');
});

test('sweep: the frontier keeps only settings nobody beats on both cost and p95', () => {
  const scenario = loadScenario(path.join(SCENARIOS, 'blog-10k-burst.json'));
  const arrivals = arrivalTimes(scenario, 1).filter((_, i) => i % 10 === 0); // 1,000 requests: fast
  const points = sweep(synthesized, { targetValues: [2, 10], cooldowns: [[120, 120]], maxCapacities: [2, 5] }, arrivals, assumptions, scenario.horizonSeconds, 1);
  expect(points).toHaveLength(4);
  const best = frontier(points);
  expect(best.length).toBeGreaterThan(0);
  for (const p of best) {
    for (const q of points) {
      const beats = q.report.costUsd < p.report.costUsd && q.report.latencySeconds.p95! < p.report.latencySeconds.p95!;
      expect(beats).toBe(false);
    }
  }
  expect(best.map((p) => p.report.costUsd)).toEqual([...best.map((p) => p.report.costUsd)].sort((a, b) => a - b));
  const keys = best.map((p) => `${p.report.costUsd}|${p.report.latencySeconds.p95}`);
  expect(new Set(keys).size).toBe(keys.length); // identical results listed once
});

describe('reading the policy back from a synthesized template', () => {
  function templateFor(values: Record<string, unknown>): string {
    const { template } = buildTestApp(values);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plan-')), 'template.json');
    fs.writeFileSync(file, JSON.stringify(template.toJSON()));
    return file;
  }

  test('matches the configuration that produced it', () => {
    const policy = readPolicyFromTemplate(
      templateFor({ minCapacity: '1', maxCapacity: '8', targetBacklogPerInstance: '3', scaleInCooldownSeconds: '600', scaleOutCooldownSeconds: '60', maxConcurrentInvocationsPerInstance: '4', instanceType: 'ml.g4dn.xlarge', invocationTimeoutSeconds: '1800' }),
    );
    expect(policy).toEqual({
      name: 'synthesized',
      instanceType: 'ml.g4dn.xlarge',
      minCapacity: 1,
      maxCapacity: 8,
      concurrencyPerInstance: 4,
      invocationTimeoutSeconds: 1800,
      targetTracking: { targetValue: 3, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 60 },
      stepScaling: { adjustment: 1, cooldownSeconds: 600, alarm: { periodSeconds: 60, evaluationPeriods: 2, datapointsToAlarm: 2, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold' } },
    });
  });

  test('without the scale-from-zero policy there is no step scaling', () => {
    expect(readPolicyFromTemplate(templateFor({ scaleOutFromZero: 'false' })).stepScaling).toBeUndefined();
  });

  test('a missing template says to synthesize first', () => {
    expect(() => readPolicyFromTemplate('/nonexistent/template.json')).toThrow(/run npx cdk synth first, or pass --template/);
  });
});

describe('scenario and assumption files', () => {
  test('the shipped assumptions load', () => {
    expect(loadAssumptions(path.join(SCENARIOS, 'service-assumptions.json'))).toMatchObject({ instanceStartupSeconds: 480, requestTtlSeconds: 21600 });
  });

  test.each([
    [{ name: 'x', horizonSeconds: 10, arrivals: [{ startSeconds: 0, endSeconds: 20, count: 1, pattern: 'uniform' }] }, 'arrivals[0] ends after the horizon (10 s)'],
    [{ name: 'x', horizonSeconds: 10, arrivals: [{ startSeconds: 0, endSeconds: 5, count: 1, pattern: 'bursty' }] }, 'arrivals[0].pattern must be "uniform" or "poisson", got "bursty"'],
    [{ name: '', horizonSeconds: 10, arrivals: [] }, '"name" must be a non-empty string'],
  ])('a bad scenario names the problem: %j', (content, message) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-')), 'bad.json');
    fs.writeFileSync(file, JSON.stringify(content));
    expect(() => loadScenario(file)).toThrow(message);
  });

  test('uniform arrivals are evenly spaced; poisson arrivals are seeded and sorted', () => {
    const scenario = { name: 's', horizonSeconds: 100, arrivals: [{ startSeconds: 0, endSeconds: 90, count: 4, pattern: 'uniform' as const }, { startSeconds: 10, endSeconds: 20, count: 3, pattern: 'poisson' as const }] };
    const times = arrivalTimes(scenario, 9);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.filter((t) => [0, 30, 60, 90].includes(t))).toEqual([0, 30, 60, 90]);
    expect(arrivalTimes(scenario, 9)).toEqual(times);
  });
});
