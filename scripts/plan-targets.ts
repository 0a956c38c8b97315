/**
 * Benchmark (not a test): the scaling issue's targets, checked on every shipped scenario from the
 * planner's own `--json` output, printed as the README's table.
 *
 *   npx cdk synth && npm run plan:targets
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { planProgram } from '../planner/cli';
import { arrivalTimes, loadAssumptions, loadScenario, serviceTimes } from '../planner/inputs';
import { readPolicyFromTemplate } from '../planner/policy';
import { summarize } from '../planner/report';
import { simulate } from '../planner/simulate';

const root = path.join(__dirname, '..');
const scenarios = fs.readdirSync(path.join(root, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'service-assumptions.json').sort();

interface PolicyJson {
  name: string;
  instanceMinutes: number;
  costUsd: number;
  p95Seconds: number | null;
  drainSeconds: number | null;
  firstScaleOutSeconds: number | null;
  ratioToBound: number | null;
  maxLatencySeconds: number | null;
  latencyBoundInstanceMinutes: number | null;
  ratioToLatencyBound: number | null;
  clairvoyantInstanceMinutes: number | null;
  clairvoyantMaxLatencySeconds: number | null;
}

async function planJson(...args: string[]): Promise<{ bounds: { instanceMinutes: number; idealDrainSeconds: number }; policies: PolicyJson[] }> {
  let out = '';
  await planProgram((t) => (out += t)).parseAsync([...args, '--compare', '--json', '--out', path.join(root, 'plan-output')], { from: 'user' });
  return JSON.parse(out);
}

const fmt = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));
const minutes = (s: number | null) => (s === null ? '∞' : `${(s / 60).toFixed(1)} min`);

async function main(): Promise<void> {
  console.log('Every bound below holds for any policy (latency-bound.ts); the clairvoyant schedule knows the arrivals in advance and is achievable, so the best possible lies between the two.\n');
  console.log('| Scenario | Synthesized instance-min (plain bound) | Ratio | Bound at its worst latency | Ratio to it | Clairvoyant at that latency | Ratio to it | Drain ÷ ideal | p95 synthesized / blog | Cost synthesized / blog | Worse than blog on both? |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const file of scenarios) {
    const report = await planJson('--scenario', path.join(root, 'scenarios', file));
    const [ours, blog] = report.policies;
    const drain = ours.drainSeconds !== null && report.bounds.idealDrainSeconds > 0 ? ours.drainSeconds / report.bounds.idealDrainSeconds : null;
    const worseP95 = ours.p95Seconds === null || (blog.p95Seconds !== null && ours.p95Seconds > blog.p95Seconds);
    const worse = worseP95 && ours.costUsd > blog.costUsd;
    console.log(
      `| ${file.replace(/\.json$/, '')} | ${ours.instanceMinutes.toFixed(0)} (${report.bounds.instanceMinutes.toFixed(0)}) | ${fmt(ours.ratioToBound)} | ${fmt(ours.latencyBoundInstanceMinutes, 0)} at ${minutes(ours.maxLatencySeconds)} | ${fmt(ours.ratioToLatencyBound)} | ${fmt(ours.clairvoyantInstanceMinutes, 0)} | ${ours.clairvoyantInstanceMinutes ? fmt(ours.instanceMinutes / ours.clairvoyantInstanceMinutes) : '—'} | ${fmt(drain)} | ${minutes(ours.p95Seconds)} / ${minutes(blog.p95Seconds)} | $${ours.costUsd.toFixed(2)} / $${blog.costUsd.toFixed(2)} | ${worse ? 'yes' : 'no'} |`,
    );
  }
  // Wake-up: one request at every second of a minute.
  const single = JSON.parse(fs.readFileSync(path.join(root, 'scenarios', 'single-request.json'), 'utf8'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-targets-'));
  let worst = 0;
  let best = Infinity;
  for (let second = 0; second < 60; second++) {
    const file = path.join(dir, `s${second}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...single, phaseSeconds: second }));
    const decision = (await planJson('--scenario', file)).policies[0].firstScaleOutSeconds ?? Infinity;
    worst = Math.max(worst, decision);
    best = Math.min(best, decision);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`\nOne request into an idle endpoint, arriving at each second 0-59 of a minute: scale-out decided ${best}-${worst} s later.`);
  modelSources();
  workerSensitivity();
}

/**
 * The ⚠ workerSpeedup assumption (throughput of two workers on one GPU relative to one), and the
 * default modelServerWorkers (one worker per concurrent invocation: 2) against one worker, on the
 * blog burst.
 */
function workerSensitivity(): void {
  const base = loadAssumptions(path.join(root, 'scenarios', 'service-assumptions.json'));
  const policy = readPolicyFromTemplate(path.join(root, 'cdk.out', 'PegasusSummarizer-dev.template.json'));
  const scenario = loadScenario(path.join(root, 'scenarios', 'blog-10k-burst.json'));
  const arrivals = arrivalTimes(scenario, 42);
  const service = serviceTimes(arrivals.length, base, 42);
  console.log('\nblog-10k-burst by ⚠ workerSpeedup, the default 2 workers against 1 (same scaling):\n');
  console.log('| workerSpeedup | 2 workers: instance-min, cost, p95 | 1 worker: instance-min, cost, p95 |');
  console.log('|---|---|---|');
  for (const speedup of [1, 1.3, 2]) {
    const assumptions = { ...base, workerSpeedup: speedup };
    const [two, one] = [policy.workersPerInstance, 1].map((workers) => summarize(simulate({ ...policy, workersPerInstance: workers }, arrivals, service, assumptions, scenario.horizonSeconds), assumptions, service));
    const cell = (r: typeof two) => `${r.instanceMinutes.toFixed(0)}, $${r.costUsd.toFixed(2)}, ${minutes(r.latencySeconds.p95 ?? null)}`;
    console.log(`| ${speedup.toFixed(1)}× | ${cell(two)} | ${cell(one)} |`);
  }
}

/**
 * The synthesized policy with its model loaded from the Hub and from S3 (a staged model): the
 * scaling is the same, only the cold start differs (scenarios/service-assumptions.json, coldStart).
 */
function modelSources(): void {
  const assumptions = loadAssumptions(path.join(root, 'scenarios', 'service-assumptions.json'));
  const policy = readPolicyFromTemplate(path.join(root, 'cdk.out', 'PegasusSummarizer-dev.template.json'));
  const c = assumptions.coldStart!;
  console.log(`\nModel from the Hub (cold start ${c.instanceAndImageSeconds + c.modelFromHubSeconds} s) or staged in S3 (${c.instanceAndImageSeconds + c.modelFromS3Seconds} s), same scaling:\n`);
  console.log('| Scenario | p95 Hub / staged | Cost Hub / staged | Instance-min Hub / staged |');
  console.log('|---|---|---|---|');
  for (const file of scenarios) {
    const scenario = loadScenario(path.join(root, 'scenarios', file));
    const arrivals = arrivalTimes(scenario, 42);
    const service = serviceTimes(arrivals.length, assumptions, 42);
    const [hub, staged] = (['hub', 's3'] as const).map((modelSource) => summarize(simulate({ ...policy, modelSource }, arrivals, service, assumptions, scenario.horizonSeconds), assumptions, service));
    console.log(`| ${scenario.name} | ${minutes(hub.latencySeconds.p95 ?? null)} / ${minutes(staged.latencySeconds.p95 ?? null)} | $${hub.costUsd.toFixed(2)} / $${staged.costUsd.toFixed(2)} | ${hub.instanceMinutes.toFixed(0)} / ${staged.instanceMinutes.toFixed(0)} |`);
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
