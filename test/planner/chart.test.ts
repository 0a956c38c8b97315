import { burstRanges, downsample, integerTicks, MAX_POINTS, timelineSvg } from '../../planner/chart';
import { DEFAULT_ASSUMPTIONS } from '../../planner/inputs';
import { alwaysOnPolicy, ScalingPolicy } from '../../planner/policy';
import { simulate, TimelinePoint } from '../../planner/simulate';

const point = (t: number, backlog: number, completions = 0): TimelinePoint => ({
  t,
  backlog,
  runningInstances: backlog > 0 ? 1 : 0,
  startingInstances: 0,
  desiredCapacity: 1,
  completions,
  backlogPerInstance: backlog,
  hasBacklogWithoutCapacity: 0,
});

describe('downsample', () => {
  test('short timelines are kept as they are', () => {
    const points = [point(60, 1), point(120, 0)];
    expect(downsample(points)).toEqual(points);
  });
  test('a day of minutes fits MAX_POINTS, keeps its one-minute peak and every completion', () => {
    const points = Array.from({ length: 1440 * 3 }, (_, i) => point((i + 1) * 60, i === 2000 ? 9999 : 1, 2));
    const out = downsample(points);
    expect(out.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(Math.max(...out.map((p) => p.backlog))).toBe(9999);
    expect(out.reduce((n, p) => n + p.completions, 0)).toBe(points.length * 2);
    expect(out.at(-1)!.t).toBe(points.at(-1)!.t);
  });
});

test('integer ticks never repeat a label, even for a maximum of 1', () => {
  expect(integerTicks(1, 4)).toEqual([0, 1]);
  expect(integerTicks(12, 5)).toEqual([0, 3, 6, 9, 12]);
  expect(integerTicks(10_000, 4)).toEqual([0, 2500, 5000, 7500, 10_000]);
});

test('the SVG escapes names and draws backlog, in-service, billed and desired lines per policy', () => {
  const policy: ScalingPolicy = {
    ...alwaysOnPolicy({ name: 'x', instanceType: 'ml.g5.xlarge', minCapacity: 0, maxCapacity: 2, concurrencyPerInstance: 1, workersPerInstance: 1, invocationTimeoutSeconds: 900 }),
    name: '<b>&',
  };
  const result = simulate(policy, [0, 10, 20], new Float64Array(3).fill(30), { ...DEFAULT_ASSUMPTIONS, instanceStartupSeconds: 480, serviceSecondsPerRequest: { distribution: 'lognormal', median: 6, p95: 14 }, hourlyPriceUsd: { 'ml.g5.xlarge': 1 } }, 600);
  const svg = timelineSvg('t', [result]);
  expect(svg).toContain('&lt;b&gt;&amp;');
  expect(svg).not.toContain('<b>');
  expect(svg.match(/<polyline/g)).toHaveLength(4);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
});

describe('a zoom on each burst', () => {
  const policy: ScalingPolicy = {
    name: 'p',
    instanceType: 'ml.g5.xlarge',
    minCapacity: 0,
    maxCapacity: 2,
    concurrencyPerInstance: 1,
    workersPerInstance: 1,
    invocationTimeoutSeconds: 900,
    targetTracking: { targetValue: 1, scaleInCooldownSeconds: 60, scaleOutCooldownSeconds: 60 },
    idleScaleIn: { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 0.5, cooldownSeconds: 60 },
  };
  const assumptions = { ...DEFAULT_ASSUMPTIONS, metricDelaySeconds: 0, instanceStartupSeconds: 300, serviceSecondsPerRequest: { distribution: 'lognormal' as const, median: 6, p95: 14 }, hourlyPriceUsd: { 'ml.g5.xlarge': 1 } };
  const bursts = [
    { startSeconds: 3600, endSeconds: 3660 },
    { startSeconds: 36_000, endSeconds: 36_060 },
  ];
  const arrivals = [...Array.from({ length: 5 }, (_, i) => 3600 + i * 10), ...Array.from({ length: 5 }, (_, i) => 36_000 + i * 10)];
  const result = simulate(policy, arrivals, new Float64Array(10).fill(30), assumptions, 43_200);

  test('each starts two minutes before its burst and ends five minutes after the endpoint is idle again', () => {
    const ranges = burstRanges(bursts, result, 43_200);
    expect(ranges).toHaveLength(2);
    expect(ranges.map((r) => r.from)).toEqual([3480, 35_880]);
    for (const [i, r] of ranges.entries()) {
      const idleAgain = result.timeline.find((p) => p.t > bursts[i].endSeconds && p.backlog === 0 && p.desiredCapacity === 0 && p.startingInstances === 0)!;
      expect(r.to).toBe(idleAgain.t + 300);
    }
  });

  test('a burst as long as the horizon gets no zoom; the zoomed chart is labelled in clock time', () => {
    expect(burstRanges([{ startSeconds: 0, endSeconds: 43_000 }], result, 43_200)).toEqual([]);
    const svg = timelineSvg('zoom', [result], [], burstRanges(bursts, result, 43_200)[1]);
    expect(svg).toContain('>9:58<'); // 35,880 s
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
