import { burstRanges, coinciding, downsample, markdownTableHtml, MAX_POINTS, niceTicks, timelineSvg, timeTicks } from '../../planner/chart';
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

test('count ticks are round (1, 2 or 5 × 10ⁿ apart), never repeat, and the axis ends on one', () => {
  expect(niceTicks(1, 4)).toEqual([0, 1]);
  expect(niceTicks(12, 5)).toEqual([0, 5, 10, 15]);
  expect(niceTicks(10_000, 4)).toEqual([0, 5000, 10_000]);
  expect(niceTicks(7, 5)).toEqual([0, 2, 4, 6, 8]);
  expect(niceTicks(3843, 5)).toEqual([0, 1000, 2000, 3000, 4000]);
});

test('time ticks fall on round minutes or hours, at most 8 of them', () => {
  expect(timeTicks(0, 21_600)).toEqual([0, 3600, 7200, 10_800, 14_400, 18_000, 21_600]);
  expect(timeTicks(35_880, 37_000)).toEqual([36_000, 36_300, 36_600, 36_900]);
  expect(timeTicks(0, 86_400 * 30).length).toBeLessThanOrEqual(8);
});

test('policies whose lines coincide are named in the legend', () => {
  const same = [point(60, 1), point(120, 0)];
  expect(coinciding(['a', 'b', 'c'], [same, [...same], [point(60, 2)]])).toEqual(['a and b coincide']);
  expect(coinciding(['a', 'b'], [same, [point(60, 2)]])).toEqual([]);
});

test('the HTML page shows the table as a table', () => {
  const html = markdownTableHtml('| Policy | p95 |\n|---|---|\n| <x> | 5 s |\n');
  expect(html).toBe('<table style="border-collapse:collapse" border="1" cellpadding="4"><thead><tr><th>Policy</th><th>p95</th></tr></thead><tbody><tr><td>&lt;x&gt;</td><td>5 s</td></tr></tbody></table>');
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
    expect(svg).toContain('>10:00<'); // the first round tick after 35,880 s (9:58)
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
