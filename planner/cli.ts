import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { stackName } from '../lib/summarizer-app';
import { reportHtml, timelineSvg } from './chart';
import { arrivalTimes, loadAssumptions, loadScenario } from './inputs';
import { alwaysOnPolicy, blogPolicy, readPolicyFromTemplate, ScalingPolicy } from './policy';
import { reportTable, summarize } from './report';
import { simulate } from './simulate';
import { contextFlags, DEFAULT_GRID, frontier, sweep } from './sweep';

const ROOT = path.join(__dirname, '..');

const int = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
};

interface PlanOptions {
  scenario: string;
  template?: string;
  stage: string;
  assumptions: string;
  seed: number;
  compare?: boolean;
  sweep?: boolean;
  out: string;
}

/** `npm run plan -- …`: simulate the synthesized scaling policy against a traffic scenario. */
export function planProgram(write: (text: string) => void): Command {
  return new Command('plan')
    .description('Simulate the synthesized scaling policy (read from cdk.out) against a traffic scenario: latency, drain time, instance-minutes and cost, before deploying.')
    .requiredOption('--scenario <file>', 'traffic scenario, e.g. scenarios/blog-10k-burst.json')
    .option('--template <file>', 'synthesized template (default: cdk.out/PegasusSummarizer-<stage>.template.json)')
    .option('--stage <stage>', 'stage whose template to read', 'dev')
    .option('--assumptions <file>', 'service assumptions', path.join(ROOT, 'scenarios', 'service-assumptions.json'))
    .option('--seed <n>', 'random seed (same seed, same run)', int, 42)
    .option('--compare', 'also run the blog policy (target tracking only, 5, 120/120) and an always-on endpoint')
    .option('--sweep', 'vary target value, cooldowns and max capacity; print the cost vs p95 frontier')
    .option('--out <dir>', 'where to write the chart', path.join(ROOT, 'plan-output'))
    .configureOutput({ writeOut: write, writeErr: write })
    .action((options: PlanOptions) => {
      const templateFile = options.template ?? path.join(ROOT, 'cdk.out', `${stackName(options.stage)}.template.json`);
      const scenario = loadScenario(options.scenario);
      const assumptions = loadAssumptions(options.assumptions);
      const deployed = readPolicyFromTemplate(templateFile);
      const arrivals = arrivalTimes(scenario, options.seed);
      write(`Scenario ${scenario.name}: ${arrivals.length} requests over ${(scenario.horizonSeconds / 3600).toFixed(1)} h. ${scenario.description ?? ''}\n`);
      write(`Policy from ${path.relative(process.cwd(), templateFile)}: ${describe(deployed)}\n\n`);

      if (options.sweep) {
        const points = sweep(deployed, DEFAULT_GRID, arrivals, assumptions, scenario.horizonSeconds, options.seed);
        const best = frontier(points);
        write(`Swept ${points.length} settings; ${best.length} on the cost vs p95 frontier (cheapest first):\n\n`);
        write(reportTable(best.map((p) => p.report)));
        write('\nTo deploy one of them:\n');
        for (const p of best) write(`  npx cdk deploy ${contextFlags(p.settings)}    # ${p.report.policy}\n`);
        return;
      }

      const policies: ScalingPolicy[] = options.compare ? [deployed, blogPolicy(deployed), alwaysOnPolicy(deployed)] : [deployed];
      const results = policies.map((p) => simulate(p, arrivals, assumptions, scenario.horizonSeconds, options.seed));
      const table = reportTable(results.map((r) => summarize(r, assumptions)));
      write(table);
      fs.mkdirSync(options.out, { recursive: true });
      const title = `${scenario.name}: ${policies.map((p) => p.name).join(' vs ')}`;
      const svg = timelineSvg(title, results);
      const base = path.join(options.out, `${scenario.name}${options.compare ? '-compare' : ''}`);
      fs.writeFileSync(`${base}.svg`, svg);
      fs.writeFileSync(`${base}.html`, reportHtml(title, table, svg));
      write(`\nChart: ${base}.svg (and .html)\n`);
    });
}

function describe(p: ScalingPolicy): string {
  const parts = [`${p.instanceType}, ${p.minCapacity}-${p.maxCapacity} instances × ${p.concurrencyPerInstance} concurrent`];
  if (p.targetTracking) parts.push(`target tracking ${p.targetTracking.targetValue} (cooldowns out ${p.targetTracking.scaleOutCooldownSeconds} s / in ${p.targetTracking.scaleInCooldownSeconds} s)`);
  if (p.stepScaling) {
    const a = p.stepScaling.alarm;
    parts.push(`step +${p.stepScaling.adjustment} when HasBacklogWithoutCapacity ${a.comparison} ${a.threshold} for ${a.datapointsToAlarm} of ${a.evaluationPeriods} × ${a.periodSeconds} s (cooldown ${p.stepScaling.cooldownSeconds} s)`);
  }
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
