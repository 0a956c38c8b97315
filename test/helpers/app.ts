import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig, SummarizerConfig } from '../../lib/config';
import { SummarizerStack } from '../../lib/stacks/summarizer-stack';
import { addSummarizerStack } from '../../lib/summarizer-app';

/** The feature flags from cdk.json, which a bare `new App()` would not read. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

export interface TestApp {
  readonly app: App;
  readonly stack: SummarizerStack;
  readonly config: SummarizerConfig;
  readonly template: Template;
}

/**
 * Builds the app as `bin/app.ts` does, from configuration values given as on the command
 * line (`-c key=value`), with cdk.json's feature flags and asset bundling skipped. `extend`
 * may add test-only constructs before the template is synthesized.
 */
export function buildTestApp(
  values: Record<string, unknown> = {},
  extend: (stack: SummarizerStack) => void = () => undefined,
): TestApp {
  const context = { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...values };
  const app = new App({ context });
  const config = loadConfig(app.node.getAllContext());
  const stack = addSummarizerStack(app, config);
  extend(stack);
  return { app, stack, config, template: Template.fromStack(stack) };
}

/** The default app, built once per test file that asks for it. */
let defaultApp: TestApp | undefined;
export function defaultTestApp(): TestApp {
  defaultApp ??= buildTestApp();
  return defaultApp;
}

/** Logical id of the only resource of a type (fails the test if there are several). */
export function onlyResourceId(template: Template, type: string, props?: unknown): string {
  const ids = Object.keys(template.findResources(type, props === undefined ? undefined : { Properties: props }));
  if (ids.length !== 1) throw new Error(`expected exactly one ${type}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0];
}

/** Logical ids of the SageMaker execution role and its policy. */
export function executionRoleIds(template: Template): { roleId: string; policyId: string } {
  const roleId = onlyResourceId(template, 'AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'sagemaker.amazonaws.com' } }] },
  });
  const policyId = onlyResourceId(template, 'AWS::IAM::Policy', { Roles: [{ Ref: roleId }] });
  return { roleId, policyId };
}

/** The statements of the SageMaker execution role's policy. */
export function executionStatements(template: Template): any[] {
  return template.toJSON().Resources[executionRoleIds(template).policyId].Properties.PolicyDocument.Statement;
}

/**
 * An alarm on `HasBacklogWithoutCapacity` (EndpointName only) that decides at the end of the
 * minute requests started waiting in: the minute's Maximum ≥ 1, 1 of 1, missing data kept.
 */
export function withinTheMinuteOnBacklogWithoutCapacity(endpointName: unknown, alarmActions: unknown): Record<string, unknown> {
  return {
    Namespace: 'AWS/SageMaker',
    MetricName: 'HasBacklogWithoutCapacity',
    Dimensions: [{ Name: 'EndpointName', Value: endpointName }],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'missing',
    AlarmActions: alarmActions,
  };
}

/** A complete `securityProfile=regulated` configuration, as -c values (config/regulated.example.json is the file form). */
export const REGULATED_CONTEXT: Record<string, string> = {
  securityProfile: 'regulated',
  modelSource: 'staged',
  vpcSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  vpcSecurityGroupIds: 'sg-0123456789abcdef0',
  terminationProtection: 'true',
  deletionProtection: 'true',
  imageDigest: `sha256:${'a'.repeat(64)}`,
  alarmEmails: 'oncall@example.com',
  keyAdminArns: 'arn:aws:iam::111122223333:role/KeyAdmins',
  keyUserArns: 'arn:aws:iam::111122223333:role/ResearchOperators',
};
