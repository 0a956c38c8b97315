import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { stackName } from '../lib/summarizer-app';
import { burstRanges, reportHtml, timelineSvg } from './chart';
import { arrivalTimes, loadAssumptions, loadScenario, serviceTimes } from './inputs';
import { alwaysOnPolicy, blogPolicy, readPolicyFromTemplate, ScalingPolicy } from './policy';
import { PolicyReport, reportJson, reportTable, summarize } from './report';
import { simulate } from './simulate';
import { contextFlags, DEFAULT_GRID, frontier, sweep } from './sweep';

const ROOT = path.join(__dirname, '..');

const int = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
};

interface PlanOptions {
  scenario?: string;
  template?: string;
  stage: string;
  assumptions: string;
  seed: number;
  compare?: boolean;
  sweep?: boolean;
  json?: boolean;
  phases: number;
  out: string;
}

/** `npm run plan -- …`: simulate the synthesized scaling policy against a traffic scenario. */
export function planProgram(write: (text: string) => void): Command {
  return new Command('plan')
    .description('Simulate the synthesized scaling policy (read from cdk.out) against a traffic scenario: latency, drain time, instance-minutes and cost, before deploying.')
    .option('--scenario <file>', 'traffic scenario, e.g. scenarios/blog-10k-burst.json (without it: the shipped scenarios are listed)')
    .option('--template <file>', 'synthesized template (default: cdk.out/PegasusSummarizer-<stage>.template.json)')
    .option('--stage <stage>', 'stage whose template to read', 'dev')
    .option('--assumptions <file>', 'service assumptions', path.join(ROOT, 'scenarios', 'service-assumptions.json'))
    .option('--seed <n>', 'random seed (same seed, same run)', int, 42)
    .option('--compare', 'also run the blog policy (target tracking only, 5, 120/120) and an always-on endpoint')
    .option('--sweep', 'vary target value, cooldowns and max capacity; print the cost vs p95 frontier')
    .option('--json', 'print one JSON object (scenario, bounds, policies) and nothing else')
    .option('--phases <n>', 'also run the synthesized policy with the traffic starting at n evenly spaced seconds of the minute, and report the spread', int, 6)
    .option('--out <dir>', 'where to write the chart', path.join(ROOT, 'plan-output'))
    .configureOutput({ writeOut: write, writeErr: write })
    .action((options: PlanOptions) => {
      if (options.scenario === undefined) {
        write(shippedScenarios());
        process.exitCode = 2;
        return;
      }
      const templateFile = options.template ?? path.join(ROOT, 'cdk.out', `${stackName(options.stage)}.template.json`);
      const scenario = loadScenario(options.scenario);
      const assumptions = loadAssumptions(options.assumptions);
      const deployed = readPolicyFromTemplate(templateFile);
      const arrivals = arrivalTimes(scenario, options.seed);
      if (arrivals.length === 0) {
        write(`${options.scenario}: every burst has count 0, so there is no work to plan (no cost, no latency). Give at least one burst a count.\n`);
        process.exitCode = 1;
        return;
      }
      // One service time per request, shared by every policy (common random numbers).
      const service = serviceTimes(arrivals.length, assumptions, options.seed);
      const say = options.json ? () => undefined : write;
      say(`Scenario ${scenario.name}: ${arrivals.length} requests over ${(scenario.horizonSeconds / 3600).toFixed(1)} h. ${scenario.description ?? ''}\n`);
      say(`Policy from ${path.relative(process.cwd(), templateFile)}: ${describe(deployed)}\n\n`);

      if (options.sweep) {
        const points = sweep(deployed, DEFAULT_GRID, arrivals, service, assumptions, scenario.horizonSeconds);
        const best = frontier(points);
        if (options.json) {
          write(reportJson(scenario.name, best.map((p) => p.report)));
          return;
        }
        if (best.length === 0) {
          write(`Swept ${points.length} settings; none finished every request within the horizon, so there is no frontier. Raise maxCapacity or the horizon, or check the scenario.\n`);
          return;
        }
        write(`Swept ${points.length} settings; ${best.length} on the cost vs p95 frontier (cheapest first):\n\n`);
        write(reportTable(best.map((p) => p.report)));
        write('\nTo deploy one of them:\n');
        for (const p of best) write(`  npx cdk deploy ${contextFlags(p.settings)}    # ${p.report.policy}\n`);
        return;
      }

      const policies: ScalingPolicy[] = options.compare ? [deployed, blogPolicy(deployed), alwaysOnPolicy(deployed)] : [deployed];
      const results = policies.map((p) => simulate(p, arrivals, service, assumptions, scenario.horizonSeconds));
      const reports = results.map((r) => summarize(r, assumptions, service));
      if (options.json) {
        write(reportJson(scenario.name, reports));
        return;
      }
      const table = reportTable(reports);
      write(table);
      if (options.phases > 1) write(`\n${phaseSpread(deployed, scenario, options, assumptions)}`);
      fs.mkdirSync(options.out, { recursive: true });
      const title = `${scenario.name}: ${policies.map((p) => p.name).join(' vs ')}`;
      const svg = timelineSvg(title, results, reports);
      const base = path.join(options.out, `${scenario.name}${options.compare ? '-compare' : ''}`);
      fs.writeFileSync(`${base}.svg`, svg);
      const zooms = burstRanges(scenario.arrivals, results[0], scenario.horizonSeconds, scenario.phaseSeconds).map((range, k) => {
        const zoom = timelineSvg(`${title}, burst ${k + 1}`, results, reports, range);
        fs.writeFileSync(`${base}-burst-${k + 1}.svg`, zoom);
        return zoom;
      });
      fs.writeFileSync(`${base}.html`, reportHtml(title, table, svg, ...zooms));
      write(`\nChart: ${base}.svg${zooms.length > 0 ? `, a zoom on each burst (${base}-burst-1…${zooms.length}.svg)` : ''} and all of them in ${base}.html\n`);
    });
}

/** The same traffic starting at other seconds of the minute: how much the alarms' timing moves the result. */
function phaseSpread(policy: ScalingPolicy, scenario: ReturnType<typeof loadScenario>, options: PlanOptions, assumptions: ReturnType<typeof loadAssumptions>): string {
  const reports: PolicyReport[] = [];
  for (let k = 0; k < options.phases; k++) {
    const phase = Math.floor((60 * k) / options.phases);
    const arrivals = arrivalTimes(scenario, options.seed, phase);
    const service = serviceTimes(arrivals.length, assumptions, options.seed);
    reports.push(summarize(simulate(policy, arrivals, service, assumptions, scenario.horizonSeconds + phase), assumptions, service));
  }
  const range = (pick: (r: PolicyReport) => number | undefined, unit: (v: number) => string) => {
    const values = reports.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length === 0 ? '—' : `${unit(Math.min(...values))}–${unit(Math.max(...values))}`;
  };
  const s = (v: number) => `${v.toFixed(0)} s`;
  return `Traffic starting at ${options.phases} different seconds of the minute (${policy.name}): first scale-out ${range((r) => r.firstScaleOutSeconds, s)}, p95 ${range((r) => r.latencySeconds.p95, s)}, cost ${range((r) => r.costUsd, (v) => `$${v.toFixed(2)}`)}\n`;
}

/** `npm run plan` with no scenario: the shipped ones, one line each, and how to run one. */
export function shippedScenarios(dir = path.join(ROOT, 'scenarios')): string {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'service-assumptions.json')
    .sort();
  const lines = files.map((f) => {
    const scenario = loadScenario(path.join(dir, f));
    const requests = scenario.arrivals.reduce((sum, a) => sum + a.count, 0);
    const sentence = (scenario.description ?? '').split(/(?<=\.)\s/)[0];
    const firstSentence = sentence.length > 100 ? `${sentence.slice(0, 99)}…` : sentence;
    return `  scenarios/${f.padEnd(22)} ${String(requests).padStart(6)} requests over ${(scenario.horizonSeconds / 3600).toFixed(1).padStart(4)} h  ${firstSentence}`;
  });
  return [
    'Choose a traffic scenario with --scenario. Shipped scenarios:',
    ...lines,
    '',
    'Example (synthesize first, so the planner reads the policy you would deploy):',
    '  npx cdk synth && npm run plan -- --scenario scenarios/research-day.json',
    '',
  ].join('\n');
}

function describe(p: ScalingPolicy): string {
  const parts = [`${p.instanceType}, ${p.minCapacity}-${p.maxCapacity} instances × ${p.concurrencyPerInstance} concurrent, ${p.workersPerInstance} model-server worker${p.workersPerInstance === 1 ? '' : 's'}`];
  if (p.targetTracking) parts.push(`target tracking ${p.targetTracking.targetValue} (cooldowns out ${p.targetTracking.scaleOutCooldownSeconds} s / in ${p.targetTracking.scaleInCooldownSeconds} s)`);
  if (p.wakeOnSubmit) parts.push(`the invoker wakes an endpoint at 0 with 1 instance per ${p.wakeOnSubmit.backlogPerInstance} waiting requests (at most ${p.wakeOnSubmit.maxInstances})`);
  if (p.wakeOnSubmit && p.wakeCheck) parts.push(`and checks when HasBacklogWithoutCapacity (Maximum) >= ${p.wakeCheck.threshold} for ${p.wakeCheck.datapointsToAlarm} of ${p.wakeCheck.evaluationPeriods} × ${p.wakeCheck.periodSeconds} s`);
  if (p.stepScaling) {
    const a = p.stepScaling.alarm;
    parts.push(`step +${p.stepScaling.adjustment} when HasBacklogWithoutCapacity (${a.statistic}) ${a.comparison} ${a.threshold} for ${a.datapointsToAlarm} of ${a.evaluationPeriods} × ${a.periodSeconds} s (cooldown ${p.stepScaling.cooldownSeconds} s)`);
  }
  if (p.idleScaleIn) parts.push(`to 0 after ${p.idleScaleIn.datapointsToAlarm} × ${p.idleScaleIn.periodSeconds} s with nothing queued or in flight`);
  return parts.join('; ');
}

if (require.main === module) {
  planProgram((text) => process.stdout.write(text))
    .parseAsync(process.argv)
    .catch((e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 1;
    });
}
