import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { loadConfig } from '../config';
import { addSummarizerStack } from '../summarizer-app';
import { architectureDiagram } from './diagram';
import type { Template } from './render';
import { Acknowledgement, securityReview } from './report';

const ROOT = path.join(__dirname, '..', '..');
/** The configuration the committed review is made from: the regulated profile a security team approves. */
export const REVIEWED_CONFIG = 'config/regulated.example.json';
export const REVIEW_FILE = path.join(ROOT, 'docs', 'security-review.md');
export const DIAGRAM_START = '<!-- architecture:start (generated from the template by `npm run review`; do not edit by hand) -->';
export const DIAGRAM_END = '<!-- architecture:end -->';

/**
 * Synthesizes the app as `cdk synth -c config=<file>` would (cdk.json's feature flags, asset
 * bundling skipped: the review reads the template, not the bundles) and returns the review and
 * the architecture diagram.
 */
export function buildReview(configFile = REVIEWED_CONFIG): { report: string; diagram: string } {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context ?? {};
  const app = new App({ context: { ...cdkJson, 'aws:cdk:bundling-stacks': [], config: path.join(ROOT, configFile) } });
  const config = loadConfig(app.node.getAllContext());
  const stack = addSummarizerStack(app, config);
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  const acknowledgements: Acknowledgement[] = app.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([rule, reason]) => ({ path: c.node.path, rule: rule.replace(/^Annotation::/, ''), reason }))),
  );
  const diagram = architectureDiagram(template);
  return { report: securityReview({ template, config, configSource: configFile, acknowledgements, diagram }), diagram };
}

/** The README with its architecture block replaced. */
export function withDiagram(readme: string, diagram: string): string {
  const start = readme.indexOf(DIAGRAM_START);
  const end = readme.indexOf(DIAGRAM_END);
  if (start < 0 || end < start) throw new Error('README has no architecture markers');
  return `${readme.slice(0, start)}${DIAGRAM_START}\n\`\`\`mermaid\n${diagram}\n\`\`\`\n${readme.slice(end)}`;
}
