import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { planProgram } from '../../planner/cli';
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
  expect(out).toContain('step +1 when HasBacklogWithoutCapacity GreaterThanOrEqualToThreshold 1 for 2 of 2 × 60 s (cooldown 600 s)');
  expect(out).toMatch(/\| synthesized\s+\| 2\.0 min/);
  expect(out).toMatch(/\| blog \(target tracking only\)\s+\| —/);
  expect(out).toContain('| always on (5 instances)');
  const svg = fs.readFileSync(path.join(work, 'out', 'single-request-compare.svg'), 'utf8');
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain('blog (target tracking only)');
  expect(svg).not.toMatch(/<script|href=/);
  expect(fs.readFileSync(path.join(work, 'out', 'single-request-compare.html'), 'utf8')).toContain('<svg');
});

test('sweep mode prints the frontier and the -c flags that deploy it', async () => {
  const out = await plan('--scenario', path.join(SCENARIOS, 'single-request.json'), '--sweep');
  expect(out).toMatch(/Swept 36 settings; \d+ on the cost vs p95 frontier/);
  expect(out).toMatch(/npx cdk deploy -c targetBacklogPerInstance=\d+ -c scaleOutCooldownSeconds=\d+ -c scaleInCooldownSeconds=\d+ -c maxCapacity=\d+/);
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
