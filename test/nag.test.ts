import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { buildTestApp, REGULATED_CONTEXT } from './helpers/app';

/** Findings of the AwsSolutions pack that are not acknowledged, as "path: rule". */
function unacknowledgedFindings(values: Record<string, unknown>, extend?: Parameters<typeof buildTestApp>[1], pack: 'AwsSolutions' | 'NIST' = 'AwsSolutions'): string[] {
  const { app } = buildTestApp(values, extend);
  const report = (pack === 'NIST' ? new NIST80053R5Checks(app) : new AwsSolutionsChecks(app)).validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${r.constructPath}: ${v.ruleName}`));
}

describe('cdk-nag AwsSolutions', () => {
  test.each<[string, Record<string, unknown>]>([
    ['the default app', {}],
    ['a "dev" stage app', { stage: 'dev' }],
    ['a "prod" stage with emails, termination protection and a minimum of one instance', {
      stage: 'prod',
      minCapacity: '1',
      notificationEmails: 'research@example.com',
      alarmEmails: 'oncall@example.com',
      terminationProtection: 'true',
    }],
    ['model artifacts from S3 on an EBS instance (volume KMS key, network isolation)', {
      modelDataUrl: 's3://research-models/pegasus/model.tar.gz',
      instanceType: 'ml.p3.2xlarge',
    }],
    ['the endpoint alone (pipeline off)', { pipeline: 'false' }],
    ['a custom ECR image, no scale-from-zero policy, data destroyed with the stack', {
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/research/pegasus:1',
      scaleOutFromZero: 'false',
      dataRemovalPolicy: 'destroy',
    }],
  ])('%s has no unacknowledged finding', (_name, values) => {
    expect(unacknowledgedFindings(values)).toEqual([]);
  });

  test('the check can fail: an unacknowledged wildcard is reported', () => {
    const findings = unacknowledgedFindings({}, (stack) => {
      const role = new iam.Role(stack, 'Careless', { assumedBy: new iam.AccountRootPrincipal() });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    });
    expect(findings).toEqual(
      expect.arrayContaining([
        'PegasusSummarizer-dev/Careless/DefaultPolicy/Resource: AwsSolutions-IAM5[Action::s3:*]',
        'PegasusSummarizer-dev/Careless/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::*]',
      ]),
    );
    expect(findings).toHaveLength(2);
  });

  test('every acknowledgement carries a real reason', () => {
    const { app } = buildTestApp({ instanceType: 'ml.g5.xlarge' });
    const acknowledgements = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ id: id.replace(/^Annotation::/, ''), reason }));
    expect(acknowledgements.length).toBeGreaterThanOrEqual(8);
    for (const { id, reason } of acknowledgements) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+|^NIST\.800\.53\.R5-[A-Za-z0-9]+$/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});

describe('cdk-nag NIST 800-53 rev. 5 (securityProfile=regulated)', () => {
  const REGULATED = REGULATED_CONTEXT;

  test.each<[string, Record<string, unknown>]>([
    ['the regulated profile', REGULATED],
    ['the regulated profile from another bucket, on an EBS instance type', { ...REGULATED, modelSource: 's3://research-models/pegasus/93928205c2e26274f82e637a8e10033be1e1e975/', instanceType: 'ml.p3.2xlarge' }],
  ])('%s: every finding fixed or acknowledged with its reason, AwsSolutions too', (_name, values) => {
    expect(unacknowledgedFindings(values, undefined, 'NIST')).toEqual([]);
    expect(unacknowledgedFindings(values)).toEqual([]);
  });

  test('the check can fail: a function of ours outside the acknowledgements is reported', () => {
    const findings = unacknowledgedFindings(REGULATED, (stack) => {
      new lambda.Function(stack, 'Stray', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
    }, 'NIST');
    expect(findings).toEqual(expect.arrayContaining(['PegasusSummarizer-dev/Stray/Resource: NIST.800.53.R5-LambdaInsideVPC', 'PegasusSummarizer-dev/Stray/Resource: NIST.800.53.R5-LambdaDLQ']));
  });
});
