import * as fs from 'fs';
import * as path from 'path';
import { buildReview, DIAGRAM_END, DIAGRAM_START, REVIEW_FILE, withDiagram } from '../../lib/review/review';

/**
 * The committed security review and the README's architecture diagram are what the code
 * synthesizes today (run `npm run review` after a change, and commit both): a widened role, a
 * new resource policy or a lost encryption setting shows up in review as a diff of the document.
 */
const { report, diagram } = buildReview();

test('docs/security-review.md is current (npm run review)', () => {
  expect(fs.readFileSync(REVIEW_FILE, 'utf8')).toBe(report);
});

test("the README's architecture diagram is current (npm run review)", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).toContain(`${DIAGRAM_START}\n\`\`\`mermaid\n${diagram}\n\`\`\`\n${DIAGRAM_END}`);
  expect(withDiagram(readme, diagram)).toBe(readme);
});

test('the review has what a reviewer asks for, from the template', () => {
  for (const heading of ['## Cost drivers', '## Network posture of the model', '## Reachable from outside the account', '## Encryption per data store', '## Roles', '## Resource policies and key policies', '## cdk-nag acknowledgements']) {
    expect(report).toContain(heading);
  }
  expect(report).toContain('network isolation **on**');
  expect(report).toContain('Downloads from the Hugging Face Hub at start: no.');
  expect(report).toContain('@sha256:');
  // Every role, with its trust and its permissions (the allow-list test pins them).
  for (const role of ['ModelExecutionRole', 'PipelineInvokerRole', 'PipelineRecorderRole', 'ModelStagedWithHandlerCopyRole', 'EndpointLogsLogGroupManagerRole']) expect(report).toContain(`### ${role}`);
  expect(report).toContain('`AWS:* → Deny sns:Publish on {SuccessTopic} when ArnNotEquals aws:PrincipalArn={ModelExecutionRole.Arn}`');
  expect(report).toContain('| S3 bucket DocumentsBucket | aws:kms | DataKey |');
  // NIST acknowledgements are listed with their reasons.
  expect(report).toMatch(/\| `NIST\.800\.53\.R5-LambdaInsideVPC` \| The functions call only AWS APIs/);
});

test('the freshness check can fail: another configuration gives another review', () => {
  expect(buildReview('config/prod.example.json').report).not.toBe(report);
});
