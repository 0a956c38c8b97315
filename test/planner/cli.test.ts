import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { planProgram } from '../../planner/cli';
import { loadAssumptions } from '../../planner/inputs';
import { buildTestApp } from '../helpers/app';

const SCENARIOS = path.join(__dirname, '..', '..', 'scenarios');
let work: string;
let template: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-cli-'));
  template = path.join(work, 'template.json');
  fs.writeFileSync(template, JSON.stringify(buildTestApp().template.toJSON()));
});

async function plan(...args: string[]): Promise<string> {
  let out = '';
  await planProgram((t) => (out += t)).parseAsync(['--template', template, '--out', path.join(work, 'out'), ...args], { from: 'user' });
  return out;
}

test('compare mode: the synthesized policy, the blog policy and always-on in one table and one chart', async () => {
  const out = await plan('--scenario', path.join(SCENARIOS, 'single-request.json'), '--compare');
  expect(out).toContain('2 model-server workers');
  expect(out).toContain('the invoker wakes an endpoint at 0 with 1 instance per 5 waiting requests (at most 5); and checks when HasBacklogWithoutCapacity (Maximum) >= 1 for 1 of 1 × 60 s; step +1 when HasBacklogWithoutCapacity (Maximum) GreaterThanOrEqualToThreshold 1 for 12 of 12 × 60 s (cooldown 600 s)');
  expect(out).toContain('to 0 after 2 × 60 s with nothing queued or in flight');
  // The invoker's wake 5 s after the request (⚠ wakeAfterSubmitSeconds); 480 s cold start after that.
  expect(out).toMatch(/\| synthesized\s+\| 5 s\s+\| 8\.1 min/);
  expect(out).toMatch(/\| blog\s+\| —\s+\| —\s+\| ∞/); // a backlog of 1 never exceeds the target of 5
  expect(out).toMatch(/\| always-on\s+\| —\s+\| 0 s/);
  // Arriving at second 0, 10, …, 50 of a minute: the wake does not wait for a minute's end.
  expect(out).toMatch(/Traffic starting at 6 different seconds of the minute \(synthesized\): first scale-out 5 s–5 s/);
  const svg = fs.readFileSync(path.join(work, 'out', 'single-request-compare.svg'), 'utf8');
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain('>blog: $0.00, p95 ∞<');
  expect(svg).not.toMatch(/<script|href=/);
  expect(fs.readFileSync(path.join(work, 'out', 'single-request-compare.html'), 'utf8')).toContain('<svg');
});

test('sweep mode prints the frontier and the -c flags that deploy it', async () => {
  const out = await plan('--scenario', path.join(SCENARIOS, 'single-request.json'), '--sweep');
  expect(out).toMatch(/Swept 36 settings; \d+ on the cost vs p95 frontier/);
  expect(out).toMatch(/npx cdk deploy -c targetBacklogPerInstance=\d+ -c scaleOutCooldownSeconds=\d+ -c scaleInCooldownSeconds=\d+ -c maxCapacity=\d+/);
});

test('a scenario with bursts gets a zoom on each, all in the HTML page', async () => {
  const out = await plan('--scenario', path.join(SCENARIOS, 'research-day.json'), '--compare', '--phases', '1');
  expect(out).toContain('a zoom on each burst');
  const html = fs.readFileSync(path.join(work, 'out', 'research-day-compare.html'), 'utf8');
  expect(html.match(/<svg /g)).toHaveLength(4);
  for (const k of [1, 2, 3]) expect(fs.readFileSync(path.join(work, 'out', `research-day-compare-burst-${k}.svg`), 'utf8')).toContain(`burst ${k}`);
});

test('--json prints one parseable object with the bounds and every policy', async () => {
  const out = await plan('--scenario', path.join(SCENARIOS, 'single-request.json'), '--compare', '--json');
  const report = JSON.parse(out);
  expect(report.scenario).toBe('single-request');
  expect(report.bounds).toEqual({ instanceMinutes: expect.any(Number), idealDrainSeconds: expect.any(Number) });
  expect(report.policies.map((p: { name: string }) => p.name)).toEqual(['synthesized', 'blog', 'always-on']);
  const [synthesized, blog] = report.policies;
  // The invoker's wake, 5 s after the request; in service one 480 s cold start later.
  expect(synthesized).toMatchObject({ firstScaleOutSeconds: 5, firstInServiceSeconds: 485, completed: 1, unfinished: 0 });
  expect(blog).toMatchObject({ completed: 0, unfinished: 1, p95Seconds: null, drainSeconds: null }); // never finishes: no number, not 0
  // The bound at its own worst latency: for one request, the plain bound (its work and one cold start).
  // Its worst latency: the wake (5 s), the cold start (480 s), then the request's own service time (2 workers: twice the work in the bound).
  expect(synthesized.maxLatencySeconds).toBeCloseTo(485 + 2 * (report.bounds.instanceMinutes * 60 - 480), 1);
  expect(synthesized.latencyBoundInstanceMinutes).toBeCloseTo(report.bounds.instanceMinutes, 6);
  expect(synthesized.ratioToLatencyBound).toBeCloseTo(synthesized.ratioToBound, 3);
  expect(blog).toMatchObject({ maxLatencySeconds: null }); // unfinished: infinitely late
});

test('a sweep where no setting finishes says so instead of printing an empty frontier', async () => {
  const scenario = path.join(work, 'impossible.json');
  fs.writeFileSync(scenario, JSON.stringify({ name: 'impossible', horizonSeconds: 120, arrivals: [{ count: 50, startSeconds: 0, endSeconds: 60, pattern: 'uniform' }] }));
  const out = await plan('--scenario', scenario, '--sweep');
  expect(out).toMatch(/Swept 36 settings; none finished every request within the horizon, so there is no frontier/);
  expect(out).not.toContain('npx cdk deploy');
});

const shipped = fs.readdirSync(SCENARIOS).filter((f) => f.endsWith('.json') && f !== 'service-assumptions.json');

test.each(shipped)('npm run plan on %s prints the report and writes the chart', async (file) => {
  const out = await plan('--scenario', path.join(SCENARIOS, file));
  const name = file.replace(/\.json$/, '');
  expect(out).toContain(`Scenario ${name}:`);
  expect(out).toMatch(/\| synthesized\s+\|/);
  expect(fs.existsSync(path.join(work, 'out', `${name}.svg`))).toBe(true);
});

test('every shipped scenario is listed', () => {
  expect(shipped.sort()).toEqual(['blog-10k-burst.json', 'research-day.json', 'single-request.json', 'trickle.json']);
});

test('the shipped long-document assumptions derive service time from document length, and the plan says what that costs', async () => {
  const file = path.join(SCENARIOS, 'assumptions', 'long-documents.json');
  expect(loadAssumptions(file).serviceFromTokens).toEqual({ tokensPerRequest: { median: 5800, p95: 40500 }, windowTokens: 1024, overlapTokens: 64, summaryTokens: 256, secondsPerWindow: 2, batchSize: 8, maxRounds: 4 });
  const scenario = path.join(SCENARIOS, 'research-day.json');
  const plain = JSON.parse(await plan('--scenario', scenario, '--json'));
  const long = JSON.parse(await plan('--scenario', scenario, '--assumptions', file, '--json'));
  // The same requests, several windows each: more work, so a larger bound and a longer p95.
  expect(long.bounds.instanceMinutes).toBeGreaterThan(3 * plain.bounds.instanceMinutes);
  expect(long.policies[0].p95Seconds).toBeGreaterThan(plain.policies[0].p95Seconds);
});

test('without --scenario: the shipped scenarios, one line each, and an example command; exit 2', async () => {
  const previous = process.exitCode;
  let out = '';
  await planProgram((t) => (out += t)).parseAsync([], { from: 'user' });
  expect(process.exitCode).toBe(2);
  process.exitCode = previous;
  const lines = out.split('\n');
  for (const name of ['blog-10k-burst', 'research-day', 'single-request', 'trickle']) {
    expect(lines.filter((l) => l.startsWith(`  scenarios/${name}.json`))).toHaveLength(1);
  }
  expect(out).toMatch(/scenarios\/research-day\.json\s+2400 requests over 24\.0 h {2}A research team's working day/);
  expect(out).not.toContain('service-assumptions');
  expect(out).toContain('npm run plan -- --scenario scenarios/research-day.json');
  expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(170);
});

test('a scenario whose every count is 0 says there is no work to plan, and fails', async () => {
  const file = path.join(work, 'empty.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'empty', horizonSeconds: 3600, arrivals: [{ startSeconds: 0, endSeconds: 60, count: 0, pattern: 'uniform' }] }));
  process.exitCode = 0;
  const out = await plan('--scenario', file);
  expect(out).toBe(`${file}: every burst has count 0, so there is no work to plan (no cost, no latency). Give at least one burst a count.\n`);
  expect(process.exitCode).toBe(1);
  process.exitCode = 0;
});

test('a template whose scalable target has MaxCapacity 0 is refused, saying why', async () => {
  const json = JSON.parse(fs.readFileSync(template, 'utf8'));
  const id = Object.keys(json.Resources).find((k) => json.Resources[k].Type === 'AWS::ApplicationAutoScaling::ScalableTarget')!;
  json.Resources[id].Properties.MaxCapacity = 0;
  const zero = path.join(work, 'zero.json');
  fs.writeFileSync(zero, JSON.stringify(json));
  await expect(planProgram(() => undefined).parseAsync(['--template', zero, '--scenario', path.join(SCENARIOS, 'single-request.json')], { from: 'user' })).rejects.toThrow(
    `${zero}: the scalable target's MaxCapacity is 0: no instance could ever serve a request, so there is nothing to plan`,
  );
});
