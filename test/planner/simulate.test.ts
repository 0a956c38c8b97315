import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { arrivalTimes, instanceStartupSecondsFor, loadAssumptions, loadScenario, passesFor, ServiceAssumptions, serviceTimes } from '../../planner/inputs';
import { alwaysOnPolicy, blogPolicy, readPolicyFromTemplate, ScalingPolicy } from '../../planner/policy';
import { bounds, reportJson, summarize } from '../../planner/report';
import { simulate } from '../../planner/simulate';
import { frontier, sweep, sweptPolicy } from '../../planner/sweep';
import { buildTestApp } from '../helpers/app';
import { plannerAssumptions, plannerPolicy } from '../helpers/planner';

const SCENARIOS = path.join(__dirname, '..', '..', 'scenarios');
/** Hand-computable: datapoints reach alarms at once, and updates do not block (each test opts in). */
const assumptions: ServiceAssumptions = plannerAssumptions({ metricDelaySeconds: 0, updateBlocksScaling: false });

/** The default configuration's policy as it was synthesized before the planner changed it (2 of 2 Average wake alarm). */
const synthesized: ScalingPolicy = plannerPolicy({
  stepScaling: { adjustment: 1, cooldownSeconds: 120, alarm: { periodSeconds: 60, evaluationPeriods: 2, datapointsToAlarm: 2, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', statistic: 'Average' } },
});

/** Every request takes `seconds` (hand-computed cases), or the assumptions' draw (seeded). */
const fixed = (count: number, seconds: number) => new Float64Array(count).fill(seconds);
const run = (policy: ScalingPolicy, arrivals: number[], service: ArrayLike<number> = fixed(arrivals.length, 6), a: ServiceAssumptions = assumptions, horizon = 7200) =>
  simulate(policy, arrivals, service, a, horizon);

test('arrivals must come sorted (they are read in order, not heaped): anything else is an error that says where', () => {
  expect(() => run(synthesized, [60, 30])).toThrow('arrivals must be sorted: 30 s comes after 60 s');
});

describe('one request into an idle endpoint (hand-computed)', () => {
  // Arrives at 60 s. HasBacklogWithoutCapacity datapoints: [0, 60) → 0, [60, 120) → 1, [120, 180) → 1.
  // The alarm needs 2 of 2 datapoints ≥ 1: it first holds at the 180 s evaluation.
  test('with the step policy: scale-out decided at 180 s, result one service time after the 480 s cold start', () => {
    const r = run(synthesized, [60]);
    expect(r.firstScaleOutAt).toBe(180);
    expect(r.decisions[0]).toEqual({ t: 180, from: 0, to: 1, by: 'step' });
    expect(r.firstInServiceAt).toBe(660);
    expect(r.firstResultAt).toBe(666);
    expect(r.completed).toBe(1);
  });

  test('arrival phase: at second 0 of a minute the decision comes 120 s later, at second 1 after 179 s (2 of 2 averaged datapoints)', () => {
    expect(run(synthesized, [60]).firstScaleOutAt! - 60).toBe(120);
    expect(run(synthesized, [61]).firstScaleOutAt! - 61).toBe(179);
  });

  test('the metric delay postpones every decision by the time datapoints take to reach the alarm', () => {
    expect(run(synthesized, [60], undefined, { ...assumptions, metricDelaySeconds: 60 }).firstScaleOutAt).toBe(240);
  });

  test('a step cooldown shorter than the cold start stacks instances for one request; the default 600 s does not', () => {
    const short = run(synthesized, [60]);
    // 660: the first instance is in service, but the [600, 660) datapoint still saw a backlog without capacity.
    expect(short.decisions.filter((d) => d.by === 'step').map((d) => d.t)).toEqual([180, 300, 420, 540, 660]);
    expect(short.maxDesired).toBe(5);
    const long = run({ ...synthesized, stepScaling: { ...synthesized.stepScaling!, cooldownSeconds: 600 } }, [60]);
    expect(long.decisions.filter((d) => d.by === 'step').map((d) => d.t)).toEqual([180]);
    expect(long.maxDesired).toBe(1);
    expect(long.instanceSeconds).toBeLessThan(short.instanceSeconds / 2);
  });

  test('…and while the endpoint is updating (an instance starting) SageMaker refuses more, whatever the cooldown', () => {
    const r = run(synthesized, [60], undefined, { ...assumptions, updateBlocksScaling: true });
    // 240 is still inside the 120 s cooldown; from 300 the alarm asks each minute and the update refuses.
    expect(r.blocked.filter((b) => b.by === 'step').map((b) => b.t)).toEqual([300, 360, 420, 480, 540, 600]);
    // At 660 the update ends and the alarm, one datapoint behind, adds a second instance the request never needed.
    expect(r.decisions.filter((d) => d.by === 'step').map((d) => d.t)).toEqual([180, 660]);
    expect(r.maxDesired).toBe(2);
    const long = run({ ...synthesized, stepScaling: { ...synthesized.stepScaling!, cooldownSeconds: 600 } }, [60], undefined, { ...assumptions, updateBlocksScaling: true });
    expect(long.maxDesired).toBe(1);
  });

  test('the blog policy (no step): a backlog of 1 never exceeds the target of 5, so nothing starts', () => {
    const r = run(blogPolicy(synthesized), [60]);
    expect(r.firstScaleOutAt).toBeUndefined();
    expect([r.completed, r.unfinished, r.instanceSeconds]).toEqual([0, 1, 0]);
  });

  test('…and with a 1-hour request TTL that request expires', () => {
    const r = run(blogPolicy(synthesized), [60], undefined, { ...assumptions, requestTtlSeconds: 3600 });
    expect([r.expired, r.unfinished]).toEqual([1, 0]);
  });

  test('target tracking alone wakes up once the backlog exceeds the target for 3 datapoints', () => {
    const r = run(blogPolicy(synthesized), Array.from({ length: 6 }, () => 0));
    expect(r.decisions[0]).toEqual({ t: 180, from: 0, to: 2, by: 'target-tracking' }); // ceil(6 / 5)
  });
});

test('an instance scaled in while idle serves nothing more: the next request waits for a new one', () => {
  // One low datapoint scales in; the request at 1200 s finds no instance and waits out a cold start.
  const fast: ServiceAssumptions = { ...assumptions, targetTrackingAlarms: { scaleOutDatapoints: 1, scaleInDatapoints: 1, scaleInThresholdFraction: 0.9 } };
  const r = run(synthesized, [60, 1200], fixed(2, 6), fast);
  const scaleIn = r.decisions.find((d) => d.to === 0 && d.from === 1)!;
  expect(scaleIn.t).toBeGreaterThan(666);
  expect(scaleIn.t).toBeLessThan(1200);
  expect(r.latencies[1]).toBeGreaterThanOrEqual(480 + 6);
});

describe('the invoker wakes the endpoint on submit (hand-computed)', () => {
  const waking: ScalingPolicy = {
    ...synthesized,
    wakeOnSubmit: { backlogPerInstance: 5, maxInstances: 5 },
    wakeCheck: { periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1 },
    stepScaling: { adjustment: 1, cooldownSeconds: 600, alarm: { periodSeconds: 60, evaluationPeriods: 12, datapointsToAlarm: 12, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', statistic: 'Maximum' } },
    idleScaleIn: { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 0.5, cooldownSeconds: 60 },
  };
  const shipped = { ...assumptions, metricDelaySeconds: 60, updateBlocksScaling: true };

  test('the decision comes wakeAfterSubmitSeconds after the request, whatever second of the minute it arrives at', () => {
    for (let second = 0; second < 60; second++) {
      const r = run(waking, [600 + second], undefined, shipped);
      expect([second, r.firstScaleOutAt! - (600 + second), r.decisions[0].by]).toEqual([second, 5, 'wake']);
      expect(r.firstInServiceAt).toBe(600 + second + 5 + 480);
    }
    expect(run(waking, [600], undefined, { ...shipped, wakeAfterSubmitSeconds: 20 }).firstScaleOutAt).toBe(620);
  });

  test('one wake: requests arriving while its instance starts ask for nothing more, and the 12-minute backstop never adds one during the 8-minute cold start', () => {
    const r = run({ ...waking, targetTracking: undefined }, [600, 601, 630, 700], undefined, shipped);
    expect(r.decisions.filter((d) => d.to > d.from)).toEqual([{ t: 605, from: 0, to: 1, by: 'wake' }]);
    expect(r.maxDesired).toBe(1);
    expect(r.completed).toBe(4);
  });

  test('sized as the invoker does it: it counts the requests waiting 0.5 s after the submission, then its update reaches SageMaker at 5 s', () => {
    // 12 requests 0.4 s apart: 2 have arrived at the count (600.5 s) → 1 instance, although 12 wait when the update lands.
    const twelve = Array.from({ length: 12 }, (_, i) => 600 + i * 0.4);
    expect(run(waking, twelve, undefined, shipped).decisions[0]).toEqual({ t: 605, from: 0, to: 1, by: 'wake' });
    // 40 requests 0.1 s apart: 6 at the count → ceil(6 ÷ 5) = 2.
    const forty = Array.from({ length: 40 }, (_, i) => 600 + i * 0.1);
    expect(run(waking, forty, undefined, shipped).decisions[0]).toEqual({ t: 605, from: 0, to: 2, by: 'wake' });
    // A batch submitted at once is counted whole: 30 → 6, capped at 5.
    expect(run(waking, new Array<number>(30).fill(600), undefined, shipped).decisions[0]).toEqual({ t: 605, from: 0, to: 5, by: 'wake' });
    // Counting when the update lands (the old, optimistic order) would have sized the 12 at 3.
    expect(run(waking, twelve, undefined, { ...shipped, wakeCountAfterSubmitSeconds: 5 }).decisions[0]).toEqual({ t: 605, from: 0, to: 3, by: 'wake' });
  });

  test('without the wake, the same policy waits for its backstop: 12 minutes of waiting, then the alarm (a datapoint late)', () => {
    const r = run({ ...waking, wakeOnSubmit: undefined, targetTracking: undefined }, [600], undefined, shipped);
    // Datapoints [600, 660) … [1260, 1320) are 1: the twelfth ends at 1320 and reaches the alarm at 1380.
    expect(r.decisions[0]).toEqual({ t: 1380, from: 0, to: 1, by: 'step' });
  });

  test('the idle alarm, a datapoint behind, still sees the quiet minutes before the request: refused while the woken instance starts, or, if updates did not block, it cancels the wake, and the wake check wakes the endpoint again', () => {
    const blocked = run({ ...waking, targetTracking: undefined }, [600], undefined, shipped);
    expect(blocked.blocked).toContainEqual({ t: 660, to: 0, by: 'idle' });
    expect(blocked.firstInServiceAt).toBe(1085);

    // HasBacklogWithoutCapacity: [600, 660) and [660, 720) are 1. The first reaches the wake
    // check at 720 (a period late): the alarm goes to ALARM, the invoker finds the endpoint at 0
    // (the idle policy set it at 660) and wakes it 5 s later.
    const unblocked = run({ ...waking, targetTracking: undefined }, [600], undefined, { ...shipped, updateBlocksScaling: false });
    expect(unblocked.decisions.slice(0, 3)).toEqual([
      { t: 605, from: 0, to: 1, by: 'wake' },
      { t: 660, from: 1, to: 0, by: 'idle' },
      { t: 725, from: 0, to: 1, by: 'wake' },
    ]);
    expect(unblocked.firstResultAt).toBeGreaterThan(725 + 480);
    // Without the wake check, only the 12-minute backstop would have.
    const withoutCheck = run({ ...waking, wakeCheck: undefined, targetTracking: undefined }, [600], undefined, { ...shipped, updateBlocksScaling: false });
    expect(withoutCheck.decisions[2]).toMatchObject({ from: 0, to: 1, by: 'step' });
    expect(withoutCheck.decisions[2].t).toBeGreaterThan(1300);
  });

  test('the wake check acts once per change into ALARM, and never while instances are asked for', () => {
    // A woken instance starting (desired 1) keeps the alarm in ALARM from 720 s for the whole cold
    // start: the check finds an instance asked for and does nothing; requests arriving meanwhile
    // change nothing either.
    const r = run({ ...waking, targetTracking: undefined }, [600, 700, 800, 900], undefined, shipped);
    expect(r.decisions.filter((d) => d.to > d.from)).toEqual([{ t: 605, from: 0, to: 1, by: 'wake' }]);
    expect(r.maxDesired).toBe(1);
    // The documented exception (⚠ WAKE_BACKSTOP_MINUTES): a 15-minute cold start outlasts the
    // backstop's window. Its +1 is refused while the instance starts, but the alarm, a datapoint
    // behind, is still in ALARM when the instance is up, and adds a second.
    const slow = run({ ...waking, targetTracking: undefined }, [600], undefined, { ...shipped, instanceStartupSeconds: 900 });
    expect(slow.blocked).toContainEqual({ t: 1380, to: 2, by: 'step' });
    expect(slow.decisions).toContainEqual({ t: 1560, from: 1, to: 2, by: 'step' });
  });
});

describe('the shipped wake alarm and idle scale-in (hand-computed)', () => {
  const shipped: ScalingPolicy = {
    ...synthesized,
    stepScaling: { adjustment: 1, cooldownSeconds: 600, alarm: { periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', statistic: 'Maximum' } },
    idleScaleIn: { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 5, threshold: 0.5, cooldownSeconds: 60 },
  };
  test('Maximum over 1 of 1: decided at the end of the arrival minute for every second 0-59 (60 s to 1 s later)', () => {
    for (let second = 0; second < 60; second++) {
      expect([second, run(shipped, [60 + second]).firstScaleOutAt! - (60 + second)]).toEqual([second, 60 - second]);
    }
  });
  test('…plus the metric delay, rounded up to the next once-a-minute alarm evaluation', () => {
    const worst = (metricDelaySeconds: number) =>
      Math.max(...Array.from({ length: 60 }, (_, s) => run(shipped, [60 + s], undefined, { ...assumptions, metricDelaySeconds }).firstScaleOutAt! - (60 + s)));
    expect(worst(0)).toBe(60);
    expect(worst(30)).toBe(120);
    expect(worst(60)).toBe(120);
  });
  test('idle scale-in: five minutes with a backlog Maximum of 0 after the last result, then exactly zero', () => {
    // Scale-out at 120, in service at 600, result at 606. [600, 660) still held the request; [660, 720) … [900, 960) are empty.
    const r = run({ ...shipped, targetTracking: undefined }, [60]);
    expect(r.decisions).toEqual([
      { t: 120, from: 0, to: 1, by: 'step' },
      { t: 960, from: 1, to: 0, by: 'idle' },
    ]);
    expect(r.instanceSeconds).toBe(960 - 120);
  });
  test('a request in the quiet minutes resets the count; busy instances are never set to zero', () => {
    const r = run({ ...shipped, targetTracking: undefined }, [60, 800], fixed(2, 6));
    expect(r.decisions.find((d) => d.by === 'idle')!.t).toBe(1140); // [780, 840) saw the second request; [840, 900) … [1080, 1140) quiet
    expect(r.completed).toBe(2);
    expect(r.latencies[1]).toBe(6); // served warm: the instance was still there
  });
});

describe('workers are not concurrency (hand-computed)', () => {
  const oneInstance: ScalingPolicy = { ...alwaysOnPolicy(synthesized), maxCapacity: 1, minCapacity: 1, fixedInstances: 1 };
  test('concurrency 2 with one model-server worker: requests take turns (10, 20, 30, 40 s)', () => {
    const r = run({ ...oneInstance, workersPerInstance: 1 }, [0, 0, 0, 0], fixed(4, 10));
    expect(r.latencies).toEqual([10, 20, 30, 40]);
  });
  test('two workers: two at a time (10, 10, 20, 20 s)', () => {
    const r = run({ ...oneInstance, workersPerInstance: 2 }, [0, 0, 0, 0], fixed(4, 10));
    expect(r.latencies).toEqual([10, 10, 20, 20]);
  });
  test('workers beyond the concurrency SageMaker sends cannot be used', () => {
    const r = run({ ...oneInstance, concurrencyPerInstance: 1, workersPerInstance: 4 }, [0, 0], fixed(2, 10));
    expect(r.latencies).toEqual([10, 20]);
  });
});

describe('cooldown rules (Application Auto Scaling target tracking)', () => {
  const fast: ServiceAssumptions = { ...assumptions, instanceStartupSeconds: 30, targetTrackingAlarms: { scaleOutDatapoints: 1, scaleInDatapoints: 1, scaleInThresholdFraction: 0.9 } };
  const tracking: ScalingPolicy = { ...synthesized, maxCapacity: 50, stepScaling: undefined, targetTracking: { targetValue: 5, scaleOutCooldownSeconds: 600, scaleInCooldownSeconds: 600 } };

  test('a larger scale-out proceeds during a scale-out cooldown; the same size does not', () => {
    const arrivals = [...Array.from({ length: 100 }, () => 0), ...Array.from({ length: 300 }, () => 100)];
    const r = run(tracking, arrivals, fixed(arrivals.length, 1000), fast);
    const outs = r.decisions.filter((d) => d.to > d.from);
    expect(outs[0]).toEqual({ t: 60, from: 0, to: 20, by: 'target-tracking' }); // ceil(100 / 5)
    expect(outs[1]).toEqual({ t: 120, from: 20, to: 50, by: 'target-tracking' }); // 400 queued / 20 in service: wants 80, capped
    expect(outs).toHaveLength(2);
  });

  test('a scale-out ends a scale-in cooldown; a scale-in waits out a scale-out cooldown', () => {
    // A burst, a quiet spell (scale-in at 240 s: 1 low datapoint), then a burst inside the 600 s scale-in cooldown.
    const arrivals = [...Array.from({ length: 30 }, () => 0), ...Array.from({ length: 60 }, () => 400)];
    const r = run({ ...tracking, targetTracking: { targetValue: 5, scaleOutCooldownSeconds: 120, scaleInCooldownSeconds: 600 } }, arrivals, fixed(arrivals.length, 20), fast);
    const scaleIn = r.decisions.find((d) => d.to < d.from)!;
    const laterOut = r.decisions.find((d) => d.t > scaleIn.t && d.to > d.from)!;
    expect(scaleIn.t).toBe(240);
    expect(laterOut.t).toBe(420); // the [360, 420) datapoint (averaged: 20 s of a backlog of 60); not held back until 840
    for (const d of r.decisions.filter((x) => x.to < x.from)) {
      const previousOut = r.decisions.filter((x) => x.to > x.from && x.t < d.t).at(-1);
      if (previousOut) expect(d.t - previousOut.t).toBeGreaterThanOrEqual(120);
    }
  });
});

describe('service time from document length (matching the model handler)', () => {
  test('passes: one window fits; longer documents add windows and reduce passes', () => {
    expect(passesFor(1000, 1024, 64, 128)).toBe(1);
    expect(passesFor(2000, 1024, 64, 128)).toBe(4); // ceil(1936 / 959) = 3 windows, + the final pass
    expect(passesFor(40_000, 1024, 64, 128)).toBe(42 + 6 + 1); // ceil(39,936 / 959) = 42 windows → 5,376 tokens → 6 windows → 768 tokens fit → final
    // Batches of 8, as the handler generates them: ceil(42 / 8) + ceil(6 / 8) + 1.
    expect(passesFor(40_000, 1024, 64, 128, 8)).toBe(6 + 1 + 1);
    // The round limit: with 2 rounds, the 42-window map round is followed by the final pass at once.
    expect(passesFor(40_000, 1024, 64, 128, 1, 2)).toBe(42 + 1);
    // 3,000 tokens with 500-token summaries: 4 windows → 2,000 → 3 → 1,500 → 2 → 1,000 fits: 4 + 3 + 2 + 1.
    expect(passesFor(3000, 1024, 64, 500, 1, 4)).toBe(10);
    // With 3 rounds at most, the second map round (3 windows) is followed by the final pass.
    expect(passesFor(3000, 1024, 64, 500, 1, 3)).toBe(4 + 3 + 1);
  });
  test('each request gets one service time whichever policy serves it (common random numbers)', () => {
    const withTokens: ServiceAssumptions = { ...assumptions, serviceFromTokens: { tokensPerRequest: { median: 3000, p95: 40_000 }, windowTokens: 1024, overlapTokens: 64, summaryTokens: 128, secondsPerWindow: 2 } };
    const times = serviceTimes(1000, withTokens, 7);
    expect(serviceTimes(1000, withTokens, 7)).toEqual(times);
    for (const t of times) expect(t % 2).toBe(0);
    const arrivals = Array.from({ length: 1000 }, (_, i) => i);
    const a = simulate(alwaysOnPolicy(synthesized), arrivals, times, withTokens, 90_000);
    const b = simulate({ ...alwaysOnPolicy(synthesized), workersPerInstance: 2 }, arrivals, times, withTokens, 90_000);
    const overTimeout = Array.from(times).filter((t) => t > 900).length;
    expect(overTimeout).toBeGreaterThan(0); // the long tail exists …
    expect([a.completed, a.timedOut]).toEqual([1000 - overTimeout, overTimeout]); // … and hits the 900 s invocation timeout
    expect(b.workSeconds).toBe(a.workSeconds);
  });
});

describe('invariants on the shipped scenarios', () => {
  const scenarios = ['blog-10k-burst', 'research-day', 'trickle', 'single-request'].map((n) => loadScenario(path.join(SCENARIOS, `${n}.json`)));
  const policies = [synthesized, blogPolicy(synthesized), alwaysOnPolicy(synthesized)];

  test.each(scenarios.flatMap((s) => policies.map((p) => [s.name, p.name, s, p] as const)))('%s / %s: conservation and capacity bounds', (_s, _p, scenario, policy) => {
    const arrivals = arrivalTimes(scenario, 7);
    const r = simulate(policy, arrivals, serviceTimes(arrivals.length, assumptions, 7), assumptions, scenario.horizonSeconds);
    expect(r.completed + r.timedOut + r.expired + r.unfinished).toBe(arrivals.length);
    expect(r.latencies).toHaveLength(r.completed);
    // Work needs an instance: no more work-seconds than billed instance-seconds × workers.
    expect(r.workSeconds).toBeLessThanOrEqual(r.instanceSeconds * Math.min(policy.workersPerInstance, policy.concurrencyPerInstance) + 1e-6);
    expect(r.minDesired).toBeGreaterThanOrEqual(policy.minCapacity);
    expect(r.maxDesired).toBeLessThanOrEqual(policy.maxCapacity);
    for (const p of r.timeline) {
      expect(p.runningInstances + p.startingInstances).toBeLessThanOrEqual(policy.maxCapacity);
      expect(p.desiredCapacity).toBeGreaterThanOrEqual(policy.minCapacity);
    }
  });

  test('every shipped scenario can finish inside its horizon (the last arrival leaves time to be served)', () => {
    for (const scenario of scenarios) {
      const arrivals = arrivalTimes(scenario, 42);
      const r = simulate(alwaysOnPolicy(synthesized), arrivals, serviceTimes(arrivals.length, assumptions, 42), assumptions, scenario.horizonSeconds);
      expect([scenario.name, r.unfinished]).toEqual([scenario.name, 0]);
    }
  });

  test('target-tracking scale-in waits for 15 low datapoints and respects the scale-in cooldown', () => {
    const scenario = scenarios[1];
    const policy = { ...synthesized, targetTracking: { targetValue: 5, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 120 } };
    const arrivals = arrivalTimes(scenario, 3);
    const r = simulate(policy, arrivals, serviceTimes(arrivals.length, assumptions, 3), assumptions, scenario.horizonSeconds);
    const scaleIns = r.decisions.filter((d) => d.by === 'target-tracking' && d.to < d.from);
    expect(scaleIns.length).toBeGreaterThan(0);
    for (const [i, d] of scaleIns.entries()) {
      const index = r.timeline.findIndex((p) => p.t === d.t);
      const window = r.timeline.slice(index - 14, index + 1);
      expect(window).toHaveLength(15);
      for (const p of window) expect(p.backlogPerInstance).toBeLessThan(5 * 0.9);
      if (i > 0) expect(d.t - scaleIns[i - 1].t).toBeGreaterThanOrEqual(600);
    }
    expect(r.timeline[r.timeline.length - 1].desiredCapacity).toBe(0);
  });

  test('the always-on endpoint never scales and bills the whole horizon', () => {
    const scenario = scenarios[2];
    const arrivals = arrivalTimes(scenario, 1);
    const r = simulate(alwaysOnPolicy(synthesized), arrivals, serviceTimes(arrivals.length, assumptions, 1), assumptions, scenario.horizonSeconds);
    expect(r.decisions).toEqual([]);
    expect(r.instanceSeconds).toBe(5 * scenario.horizonSeconds);
  });
});

test('determinism: the same seed gives the same run; another seed a different one', () => {
  const scenario = loadScenario(path.join(SCENARIOS, 'research-day.json'));
  const go = (seed: number) => {
    const arrivals = arrivalTimes(scenario, seed);
    return simulate(synthesized, arrivals, serviceTimes(arrivals.length, assumptions, seed), assumptions, scenario.horizonSeconds);
  };
  expect(go(11)).toEqual(go(11));
  expect(go(11).latencies).not.toEqual(go(12).latencies);
});

test('requests longer than the invocation timeout fail as timed out', () => {
  const r = run(alwaysOnPolicy(synthesized), [0, 1, 2], fixed(3, 2000));
  expect(r.timedOut).toBe(3);
  expect(r.completed).toBe(0);
});

describe('report', () => {
  test('the bounds come from every request, so they never shrink when requests expire', () => {
    const arrivals = Array.from({ length: 200 }, (_, i) => i);
    const service = fixed(200, 60);
    const all = summarize(run(blogPolicy(synthesized), arrivals, service), assumptions, service);
    const expiring = summarize(run(blogPolicy(synthesized), arrivals, service, { ...assumptions, requestTtlSeconds: 60 }), { ...assumptions, requestTtlSeconds: 60 }, service);
    expect(expiring.expired).toBeGreaterThan(0);
    expect(expiring.bounds).toEqual(all.bounds);
    expect(all.bounds.instanceMinutes).toBeCloseTo((200 * 60) / 1 / 60 + 8, 6); // work ÷ 1 worker + one cold start
  });

  test('ideal drain: FIFO on max × workers slots opened one cold start after the first arrival', () => {
    // 10 requests of 100 s at t=0, 5 instances × 1 worker from 480 s: two rounds, last result at 680 s.
    expect(bounds({ ...synthesized, workersPerInstance: 1 }, Array.from({ length: 10 }, () => 0), fixed(10, 100), assumptions).idealDrainSeconds).toBe(680);
  });

  test('expired and unfinished requests count in the percentiles, and drain does not exist while any is unfinished', () => {
    const r = run(blogPolicy(synthesized), [60]); // never served
    const report = summarize(r, assumptions, fixed(1, 6));
    expect(report.latencySeconds.p95).toBe(Infinity);
    expect(report.drainSeconds).toBeUndefined();
    const json = JSON.parse(reportJson('s', [report]));
    expect(json.policies[0]).toMatchObject({ p95Seconds: null, drainSeconds: null, completed: 0, expired: 0 });
  });

  test('cost and the missing-price error', () => {
    const service = fixed(100, 6);
    const r = run(synthesized, Array.from({ length: 100 }, (_, i) => i), service);
    expect(summarize(r, assumptions, service).costUsd).toBeCloseTo((r.instanceSeconds / 3600) * 1.408, 6);
    expect(() => summarize({ ...r, policy: { ...r.policy, instanceType: 'ml.x1.large' } }, assumptions, service)).toThrow('no hourly price for ml.x1.large');
  });

  test('the blog policy is pinned to the blog\'s own values, whatever ours are', () => {
    expect(blogPolicy({ ...synthesized, maxCapacity: 20, concurrencyPerInstance: 8, workersPerInstance: 4 })).toEqual({
      name: 'blog',
      modelSource: 'hub',
      instanceType: 'ml.g5.xlarge',
      invocationTimeoutSeconds: 900,
      minCapacity: 0,
      maxCapacity: 5,
      concurrencyPerInstance: 2,
      workersPerInstance: 1,
      targetTracking: { targetValue: 5, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 120 },
    });
  });
});

test('sweep: the frontier keeps only settings nobody beats on both cost and p95', () => {
  const scenario = loadScenario(path.join(SCENARIOS, 'blog-10k-burst.json'));
  const arrivals = arrivalTimes(scenario, 1).filter((_, i) => i % 10 === 0); // 1,000 requests: fast
  const service = serviceTimes(arrivals.length, assumptions, 1);
  const points = sweep(synthesized, { targetValues: [2, 10], cooldowns: [[120, 120]], maxCapacities: [2, 5] }, arrivals, service, assumptions, scenario.horizonSeconds);
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
});

describe('reading the policy back from a synthesized template', () => {
  /** A fresh file (tests may edit it) holding the template for these values, each synthesized once. */
  const templates = new Map<string, string>();
  function templateFor(values: Record<string, unknown>): string {
    const key = JSON.stringify(values);
    if (!templates.has(key)) templates.set(key, JSON.stringify(buildTestApp(values).template.toJSON()));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plan-')), 'template.json');
    fs.writeFileSync(file, templates.get(key)!);
    return file;
  }

  test('a swept policy is the policy its deploy command synthesizes (target tracking, maximum and the wake sized from them)', () => {
    const settings = { targetBacklogPerInstance: 2, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300, maxCapacity: 10 };
    const deployed = readPolicyFromTemplate(templateFor(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]))));
    expect(sweptPolicy(readPolicyFromTemplate(templateFor({})), settings)).toEqual({ ...deployed, name: 'target 2, cooldowns 60/300, max 10' });
  });

  test('matches the configuration that produced it', () => {
    const policy = readPolicyFromTemplate(
      templateFor({ minCapacity: '1', maxCapacity: '8', targetBacklogPerInstance: '3', scaleInCooldownSeconds: '600', scaleOutCooldownSeconds: '60', maxConcurrentInvocationsPerInstance: '4', modelServerWorkers: '2', instanceType: 'ml.g4dn.xlarge', invocationTimeoutSeconds: '1800' }),
    );
    expect(policy).toEqual({
      name: 'synthesized',
      instanceType: 'ml.g4dn.xlarge',
      minCapacity: 1,
      maxCapacity: 8,
      concurrencyPerInstance: 4,
      workersPerInstance: 2, // SAGEMAKER_MODEL_SERVER_WORKERS, read back from the model's environment
      invocationTimeoutSeconds: 1800,
      targetTracking: { targetValue: 3, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 60 },
      stepScaling: { adjustment: 1, cooldownSeconds: 600, alarm: { periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', statistic: 'Maximum' } },
      wakeOnSubmit: undefined, // minCapacity 1: the invoker is not told to wake anything
      modelSource: 'hub', // HF_MODEL_ID in the model's environment
    });
  });

  test('a staged model is read as loaded from S3, and its cold start is the S3 one', () => {
    const policy = readPolicyFromTemplate(templateFor({ modelSource: 'staged' }));
    expect(policy.modelSource).toBe('s3');
    const shipped = loadAssumptions(path.join(__dirname, '..', '..', 'scenarios', 'service-assumptions.json'));
    const c = shipped.coldStart!;
    expect(instanceStartupSecondsFor(shipped, 'hub')).toBe(c.instanceAndImageSeconds + c.modelFromHubSeconds);
    expect(instanceStartupSecondsFor(shipped, 's3')).toBe(c.instanceAndImageSeconds + c.modelFromS3Seconds);
    expect(shipped.instanceStartupSeconds).toBe(480); // the HF notebook's 7-9 minutes for a Hub model
    // One request at zero: it waits one cold start, and the S3 one is shorter by the difference.
    const one = (p: ScalingPolicy) => simulate(p, [0], new Float64Array([10]), shipped, 3600).latencies[0];
    const hub = readPolicyFromTemplate(templateFor({}));
    expect(one(hub) - one(policy)).toBeCloseTo(c.modelFromHubSeconds - c.modelFromS3Seconds, 6);
  });

  test('the default template: the invoker wakes the endpoint, the Maximum wake alarm is its 12-minute backstop, and the idle scale-in, as synthesized', () => {
    const policy = readPolicyFromTemplate(templateFor({ idleScaleInMinutes: '7' }));
    expect(policy.wakeOnSubmit).toEqual({ backlogPerInstance: 5, maxInstances: 5 });
    expect(policy.wakeCheck).toEqual({ periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1 });
    expect(policy.stepScaling!.alarm).toEqual({ periodSeconds: 60, evaluationPeriods: 12, datapointsToAlarm: 12, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', statistic: 'Maximum' });
    expect(policy.idleScaleIn).toEqual({ periodSeconds: 60, evaluationPeriods: 7, datapointsToAlarm: 7, threshold: 0.5, cooldownSeconds: 60 });
    expect(policy.workersPerInstance).toBe(2);
  });

  test('the wake is sized as the invoker is told: target backlog per instance and maxCapacity, read from its environment', () => {
    expect(readPolicyFromTemplate(templateFor({ targetBacklogPerInstance: '3', maxCapacity: '8' })).wakeOnSubmit).toEqual({ backlogPerInstance: 3, maxInstances: 8 });
    const file = templateFor({});
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const r of Object.values<any>(template.Resources)) if (r.Properties?.Environment?.Variables?.WAKE_VARIANT_NAME) delete r.Properties.Environment.Variables.WAKE_MAX_INSTANCES;
    fs.writeFileSync(file, JSON.stringify(template));
    expect(() => readPolicyFromTemplate(file)).toThrow('the invoker wakes the endpoint but its WAKE_BACKLOG_PER_INSTANCE / WAKE_MAX_INSTANCES are "5" / undefined');
  });

  test('wakeOnSubmit=false: no wake on submit, and the wake alarm decides within the minute again', () => {
    const policy = readPolicyFromTemplate(templateFor({ wakeOnSubmit: 'false' }));
    expect(policy.wakeOnSubmit).toBeUndefined();
    expect(policy.wakeCheck).toBeUndefined();
    expect(policy.stepScaling!.alarm).toMatchObject({ evaluationPeriods: 1, datapointsToAlarm: 1 });
  });

  test('without the scale-from-zero policy there is no step scaling', () => {
    expect(readPolicyFromTemplate(templateFor({ scaleOutFromZero: 'false' })).stepScaling).toBeUndefined();
  });

  test('an alarm statistic the simulator does not model is an error that names it, not a silent Average', () => {
    const file = templateFor({});
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const wake = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'HasBacklogWithoutCapacity' && r.Properties.AlarmActions?.length === 1 && !r.Properties.OKActions);
    wake.Properties.Statistic = 'Minimum';
    fs.writeFileSync(file, JSON.stringify(template));
    expect(() => readPolicyFromTemplate(file)).toThrow(/the wake alarm's statistic is "Minimum"; the planner simulates Average or Maximum/);
  });

  test('a missing template says to synthesize first', () => {
    expect(() => readPolicyFromTemplate('/nonexistent/template.json')).toThrow(/run npx cdk synth first, or pass --template/);
  });
});

describe('scenario and assumption files', () => {
  test('the shipped assumptions load', () => {
    expect(loadAssumptions(path.join(SCENARIOS, 'service-assumptions.json'))).toMatchObject({ instanceStartupSeconds: 480, requestTtlSeconds: 21600 });
  });

  const base = JSON.parse(fs.readFileSync(path.join(SCENARIOS, 'service-assumptions.json'), 'utf8'));
  const tokens = { tokensPerRequest: { median: 3000, p95: 40_000 }, windowTokens: 1024, overlapTokens: 64, summaryTokens: 128, secondsPerWindow: 2 };
  test.each([
    [{ metricDelaySeconds: -1 }, '"metricDelaySeconds" must be a number >= 0, got -1'],
    [{ updateBlocksScaling: 'yes' }, '"updateBlocksScaling" must be true or false, got "yes"'],
    [{ wakeAfterSubmitSeconds: -5 }, '"wakeAfterSubmitSeconds" must be a number >= 0, got -5'],
    [{ requestTtlSeconds: 0 }, '"requestTtlSeconds" must be a positive number, got 0'],
    [{ stepPolicyReinvokedWhileInAlarm: 1 }, '"stepPolicyReinvokedWhileInAlarm" must be true or false, got 1'],
    [{ serviceFromTokens: { ...tokens, overlapTokens: 600 } }, '"serviceFromTokens.overlapTokens" must be a whole number below half the window (as the model handler requires), got 600'],
    [{ serviceFromTokens: { ...tokens, summaryTokens: 600 } }, '"serviceFromTokens.summaryTokens" must be at most half the window'],
    [{ serviceFromTokens: { ...tokens, secondsPerWindow: 0 } }, '"serviceFromTokens" needs tokensPerRequest'],
  ])('bad assumptions name the key and the value: %j', (override, message) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assumptions-')), 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ ...base, ...override }));
    expect(() => loadAssumptions(file)).toThrow(message);
  });

  test('token-based service times load when every field is valid', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assumptions-')), 'ok.json');
    fs.writeFileSync(file, JSON.stringify({ ...base, serviceFromTokens: tokens }));
    expect(loadAssumptions(file).serviceFromTokens).toEqual(tokens);
  });

  const burst = { startSeconds: 0, endSeconds: 5, count: 1, pattern: 'uniform' };
  const ok = { name: 'x', horizonSeconds: 10, arrivals: [burst] };
  test.each<[string, unknown, string]>([
    ['not an object', [ok], 'expected a JSON object with name, horizonSeconds and arrivals'],
    ['no name', { ...ok, name: '' }, 'name: got ""; expected a non-empty string'],
    ['a horizon of text', { ...ok, horizonSeconds: '10' }, 'horizonSeconds: got "10"; expected a number of seconds > 0'],
    ['a negative horizon', { ...ok, horizonSeconds: -1 }, 'horizonSeconds: got -1; expected a number of seconds > 0'],
    ['a horizon beyond the cap', { ...ok, horizonSeconds: 1e12 }, 'horizonSeconds: got 1000000000000; expected at most 10000000000 (about 317 years: the planner\'s limit)'],
    ['a negative phase', { ...ok, phaseSeconds: -30 }, 'phaseSeconds: got -30; expected a number of seconds from 0 to below 60'],
    ['a phase past the minute', { ...ok, phaseSeconds: 60 }, 'phaseSeconds: got 60; expected a number of seconds from 0 to below 60'],
    ['no arrivals', { ...ok, arrivals: [] }, 'arrivals: got []; expected a non-empty list of bursts'],
    ['a null burst', { ...ok, arrivals: [null] }, 'arrivals[0]: got null; expected a burst {startSeconds, endSeconds, count, pattern}'],
    ['a start of text', { ...ok, arrivals: [{ ...burst, startSeconds: '0' }] }, 'arrivals[0].startSeconds: got "0"; expected a number of seconds ≥ 0'],
    ['an end before the start', { ...ok, arrivals: [{ ...burst, startSeconds: 4, endSeconds: 2 }] }, 'arrivals[0].endSeconds: got 2; expected a number of seconds ≥ startSeconds (4)'],
    ['an end after the horizon', { ...ok, arrivals: [{ ...burst, endSeconds: 20 }] }, 'arrivals[0].endSeconds: got 20; expected at most the horizon (10 s)'],
    ['a fractional count', { ...ok, arrivals: [burst, { ...burst, count: 1.5 }] }, 'arrivals[1].count: got 1.5; expected a whole number of requests ≥ 0'],
    ['an unknown pattern', { ...ok, arrivals: [{ ...burst, pattern: 'bursty' }] }, 'arrivals[0].pattern: got "bursty"; expected "uniform" or "poisson"'],
    ['too many requests', { ...ok, arrivals: [{ ...burst, count: 20_000_000 }] }, 'arrivals: got "20000000 requests in all"; expected at most 10000000'],
  ])('a malformed scenario (%s) is one line naming the file, the field and the value', (_name, content, message) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-')), 'bad.json');
    fs.writeFileSync(file, JSON.stringify(content));
    expect(() => loadScenario(file)).toThrow(`${file}: ${message}`);
  });

  test('uniform arrivals are evenly spaced; poisson arrivals are seeded and sorted', () => {
    const scenario = { name: 's', horizonSeconds: 100, arrivals: [{ startSeconds: 0, endSeconds: 90, count: 4, pattern: 'uniform' as const }, { startSeconds: 10, endSeconds: 20, count: 3, pattern: 'poisson' as const }] };
    const times = arrivalTimes(scenario, 9);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.filter((t) => [0, 30, 60, 90].includes(t))).toEqual([0, 30, 60, 90]);
    expect(arrivalTimes(scenario, 9)).toEqual(times);
  });
});

describe('policies acting in the same evaluation: the largest capacity wins (hand-computed)', () => {
  // At zero: a 1-of-1 step alarm on HasBacklogWithoutCapacity (+1) and target tracking whose
  // scale-out alarm needs 1 datapoint. 30 requests at 1 s: the [0, 60) datapoints are 1 and
  // 30 × 59 / 60 = 29.5 requests per instance (the backlog itself at zero) > the target 5.
  const both = plannerPolicy({
    stepScaling: { adjustment: 1, cooldownSeconds: 600, alarm: { periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', statistic: 'Maximum' } },
  });
  const quick: ServiceAssumptions = { ...assumptions, updateBlocksScaling: true, targetTrackingAlarms: { scaleOutDatapoints: 1, scaleInDatapoints: 15, scaleInThresholdFraction: 0.9 } };

  test('step asks 0 → 1 and target tracking 0 → ceil(29.5 ÷ 5) = 6, capped at 5: target tracking\'s 5 is applied, nothing is refused', () => {
    const r = run(both, new Array<number>(30).fill(1), undefined, quick);
    expect(r.decisions[0]).toEqual({ t: 60, from: 0, to: 5, by: 'target-tracking' });
    expect(r.blocked.filter((b) => b.t === 60)).toEqual([]);
  });

  test('with target tracking wanting less than the step, the step wins', () => {
    // 3 requests: tracking wants ceil(2.95 ÷ 5) = 1 = the step's 1; with a +2 step, the step's 2 wins.
    const r = run({ ...both, stepScaling: { ...both.stepScaling!, adjustment: 2 } }, [1, 1, 1], undefined, quick);
    expect(r.decisions[0]).toEqual({ t: 60, from: 0, to: 2, by: 'step' });
  });

  test('a scale-in to zero loses to any policy keeping capacity in the same evaluation', () => {
    const idle = { ...both, minCapacity: 0, idleScaleIn: { periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 0.5, cooldownSeconds: 60 } };
    const r = run(idle, [1, 1, 1], undefined, quick);
    // Once the work is done both alarms are quiet but idle: it sets zero; never while the step wants +1.
    expect(r.decisions.filter((d) => d.by === 'idle').every((d) => r.decisions.some((e) => e.t < d.t && e.to > 0))).toBe(true);
    expect(r.decisions.find((d) => d.t === 60)?.by).not.toBe('idle');
  });
});

describe('two workers on one GPU (⚠ workerSpeedup)', () => {
  const always = alwaysOnPolicy(plannerPolicy({ workersPerInstance: 2, maxCapacity: 1 }));
  test.each([
    [2, 6],
    [1.3, 12 / 1.3],
    [1, 12],
  ])('speedup %s: two 6 s requests at once both finish after %s s (the workers share the GPU)', (speedup, seconds) => {
    const r = run(always, [10, 10], fixed(2, 6), { ...assumptions, workerSpeedup: speedup });
    expect(r.latencies).toEqual([seconds, seconds].map((s) => expect.closeTo(s, 9)));
  });

  test('the work the bounds count follows it: half the throughput doubles the instance-minutes of the work', () => {
    const policy = plannerPolicy({ workersPerInstance: 2 });
    const arrivals = Array.from({ length: 100 }, (_, i) => i);
    const linear = bounds(policy, arrivals, fixed(100, 60), { ...assumptions, workerSpeedup: 2 }).instanceMinutes;
    const none = bounds(policy, arrivals, fixed(100, 60), { ...assumptions, workerSpeedup: 1 }).instanceMinutes;
    expect(none - 8).toBeCloseTo(2 * (linear - 8), 6); // minus the 480 s cold start
  });
});

describe('idle time is skipped, not ticked', () => {
  const shipped = loadAssumptions(path.join(SCENARIOS, 'service-assumptions.json'));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plan-')), 'template.json');
  fs.writeFileSync(file, JSON.stringify(buildTestApp({}).template.toJSON()));
  const deployed = readPolicyFromTemplate(file);
  test.each(['research-day.json', 'trickle.json', 'single-request.json'])('%s: the same run as ticking every minute', (name) => {
    const scenario = loadScenario(path.join(SCENARIOS, name));
    const arrivals = arrivalTimes(scenario, 42);
    const service = serviceTimes(arrivals.length, shipped, 42);
    for (const policy of [deployed, blogPolicy(deployed), alwaysOnPolicy(deployed)]) {
      const skipped = simulate(policy, arrivals, service, shipped, scenario.horizonSeconds);
      const ticked = simulate(policy, arrivals, service, shipped, scenario.horizonSeconds, { skipIdle: false });
      expect(skipped.instanceSeconds).toBeCloseTo(ticked.instanceSeconds, 6);
      expect(skipped.latencies).toEqual(ticked.latencies);
      expect(skipped.decisions).toEqual(ticked.decisions);
      expect(skipped.timeline.length).toBeLessThanOrEqual(ticked.timeline.length);
    }
  });

  test('a 10⁹-second horizon with 10 requests: the cost follows the events (a few thousand ticks, not 16 million)', () => {
    const arrivals = Array.from({ length: 10 }, (_, i) => i * 1e8);
    const r = simulate(deployed, arrivals, fixed(10, 6), shipped, 1e9);
    expect(r.completed).toBe(10);
    expect(r.timeline.length).toBeLessThan(10_000);
  });
});
