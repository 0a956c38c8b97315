/**
 * Benchmark (not a test): `--compare` (the synthesized policy, the blog's, always-on) on the blog
 * burst scaled to 10k, 100k and 1M requests, each size in a fresh process, printing time and
 * peak memory so growth is visible (targets: 1M requests in ≤ 10 s and ≤ 500 MB); then 10 requests
 * over a 10⁹-second horizon (target ≤ 1 s and ≤ 200 MB: idle time is skipped, not ticked).
 *
 *   npx cdk synth && npm run bench:plan
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { arrivalTimes, loadAssumptions, loadScenario, serviceTimes } from '../planner/inputs';
import { alwaysOnPolicy, blogPolicy, readPolicyFromTemplate } from '../planner/policy';
import { summarize } from '../planner/report';
import { simulate } from '../planner/simulate';

const root = path.join(__dirname, '..');
const SIZES = [10_000, 100_000, 1_000_000];

function run(count: number): void {
  const base = loadScenario(path.join(root, 'scenarios', 'blog-10k-burst.json'));
  // The same 30-minute burst shape, with `count` requests (a bigger burst needs a longer horizon).
  const scenario = { ...base, horizonSeconds: Math.max(base.horizonSeconds, Math.ceil(count / 10_000) * 4 * 3600), arrivals: [{ ...base.arrivals[0], count }] };
  const assumptions = loadAssumptions(path.join(root, 'scenarios', 'service-assumptions.json'));
  const synthesized = readPolicyFromTemplate(path.join(root, 'cdk.out', 'PegasusSummarizer-dev.template.json'));
  const start = process.hrtime.bigint();
  const arrivals = arrivalTimes(scenario, 42);
  const service = serviceTimes(arrivals.length, assumptions, 42);
  const reports = [synthesized, blogPolicy(synthesized), alwaysOnPolicy(synthesized)].map((p) => summarize(simulate(p, arrivals, service, assumptions, scenario.horizonSeconds), assumptions, service));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${count.toLocaleString('en-US').padStart(10)} requests × 3 policies: ${seconds.toFixed(2).padStart(6)} s, peak RSS ${rssMb.toFixed(0).padStart(4)} MB, ${((count * 3) / seconds / 1000).toFixed(0)}k simulated requests/s; ` +
      reports.map((r) => `${r.policy} ${r.instanceMinutes.toFixed(0)} inst-min`).join(', '),
  );
}

/** 10 requests spread over 10⁹ s (about 32 years). */
function longHorizon(): void {
  const assumptions = loadAssumptions(path.join(root, 'scenarios', 'service-assumptions.json'));
  const synthesized = readPolicyFromTemplate(path.join(root, 'cdk.out', 'PegasusSummarizer-dev.template.json'));
  const start = process.hrtime.bigint();
  const arrivals = Array.from({ length: 10 }, (_, i) => i * 1e8);
  const service = serviceTimes(arrivals.length, assumptions, 42);
  const reports = [synthesized, blogPolicy(synthesized), alwaysOnPolicy(synthesized)].map((p) => summarize(simulate(p, arrivals, service, assumptions, 1e9), assumptions, service));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`  10 requests over a 1e9 s horizon × 3 policies: ${seconds.toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; ${reports.map((r) => `${r.policy} ${r.completed} done`).join(', ')}`);
}

if (process.argv[2] === 'long-horizon') {
  longHorizon();
} else if (process.argv[2]) {
  run(Number(process.argv[2]));
} else {
  console.log(`node ${process.version}; each size in a fresh process`);
  for (const arg of [...SIZES.map(String), 'long-horizon']) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, arg], { stdio: 'inherit', cwd: root });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
}
