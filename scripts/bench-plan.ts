/**
 * Benchmark: simulate the blog scenario (10,000 requests) under 4 policies — the synthesized
 * defaults, the blog's, an always-on endpoint and a scaled-up variant — and print how long it
 * took (target: under 2 s on the 2-core machine). A benchmark, not a test.
 *
 *   npx cdk synth && npm run bench:plan
 */
import * as path from 'path';
import { arrivalTimes, loadAssumptions, loadScenario } from '../planner/inputs';
import { alwaysOnPolicy, blogPolicy, readPolicyFromTemplate, ScalingPolicy } from '../planner/policy';
import { summarize } from '../planner/report';
import { simulate } from '../planner/simulate';

const root = path.join(__dirname, '..');
const scenario = loadScenario(path.join(root, 'scenarios', 'blog-10k-burst.json'));
const assumptions = loadAssumptions(path.join(root, 'scenarios', 'service-assumptions.json'));
// The synthesized policy, read from cdk.out exactly as `npm run plan` does (run `npx cdk synth`
// first; synthesizing in this process would leave a large heap behind and skew the timing).
const synthesized: ScalingPolicy = {
  ...readPolicyFromTemplate(path.join(root, 'cdk.out', 'PegasusSummarizer-dev.template.json')),
  name: 'synthesized (cdk.out)',
};
const policies = [synthesized, blogPolicy(synthesized), alwaysOnPolicy(synthesized), { ...synthesized, name: 'max 10', maxCapacity: 10 }];

const start = process.hrtime.bigint();
const arrivals = arrivalTimes(scenario, 42);
const reports = policies.map((p) => summarize(simulate(p, arrivals, assumptions, scenario.horizonSeconds, 42), assumptions));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

console.log(`${arrivals.length} requests × ${policies.length} policies simulated in ${seconds.toFixed(3)} s (target < 2 s), node ${process.version}`);
console.log(`${((arrivals.length * policies.length) / seconds).toFixed(0)} simulated requests/s; peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
for (const r of reports) console.log(`  ${r.policy.padEnd(30)} p95 ${(r.latencySeconds.p95! / 60).toFixed(1)} min, $${r.costUsd.toFixed(2)}`);
