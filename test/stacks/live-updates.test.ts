import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, onlyResourceId } from '../helpers/app';

/**
 * What CloudFormation will do to a live stack when a setting changes, read from the pair of
 * templates before and after: resources whose logical ID disappears are deleted (at clean-up,
 * after everything new exists), new logical IDs are created, and a changed property that
 * "requires replacement" replaces the resource in place of its logical ID.
 */
function changeSet(before: Template, after: Template) {
  const a = before.toJSON().Resources as Record<string, any>;
  const b = after.toJSON().Resources as Record<string, any>;
  const removed = Object.keys(a).filter((id) => !(id in b));
  const added = Object.keys(b).filter((id) => !(id in a));
  const modified = Object.keys(b).filter((id) => id in a && JSON.stringify(a[id].Properties) !== JSON.stringify(b[id].Properties));
  return { removed, added, modified, before: a, after: b };
}

describe('changing instanceType on a deployed stack', () => {
  const before = buildTestApp({ instanceType: 'ml.g5.xlarge' }).template;
  const after = buildTestApp({ instanceType: 'ml.g4dn.xlarge' }).template;
  const change = changeSet(before, after);

  test('creates a new endpoint (new logical ID and name) and deletes the old one, never updating a registered variant', () => {
    expect(change.removed).toEqual(expect.arrayContaining(['EndpointMlG5Xlarge']));
    expect(change.added).toEqual(expect.arrayContaining(['EndpointMlG4dnXlarge']));
    expect(change.modified).not.toContain('EndpointMlG5Xlarge');
    expect(change.after.EndpointMlG4dnXlarge.Properties.EndpointName).toBe('PegasusSummarizer-dev-ml-g4dn-xlarge');
  });

  test('the scalable target is replaced (its ResourceId names the new endpoint) and registered only after the new endpoint exists', () => {
    const targetId = Object.keys(change.after).find((id) => change.after[id].Type === 'AWS::ApplicationAutoScaling::ScalableTarget')!;
    // ResourceId "Update requires: Replacement" (AWS::ApplicationAutoScaling::ScalableTarget): a new target is
    // registered for the new endpoint, and the old one deregistered at clean-up, before its endpoint is deleted.
    expect(change.modified).toContain(targetId);
    const resourceId = JSON.stringify(change.after[targetId].Properties.ResourceId);
    expect(resourceId).toContain('EndpointMlG4dnXlarge');
    expect(resourceId).not.toContain('EndpointMlG5Xlarge');
    expect(JSON.stringify(change.before[targetId].Properties.ResourceId)).toContain('EndpointMlG5Xlarge');
  });

  test('everything that names the endpoint follows it: scaling policies, alarms, the invoker, the outputs, its log group', () => {
    const text = JSON.stringify(change.after);
    expect(text).not.toContain('EndpointMlG5Xlarge');
    expect(text).not.toContain('PegasusSummarizer-dev-ml-g5-xlarge');
    after.hasOutput('EndpointName', { Value: { 'Fn::GetAtt': ['EndpointMlG4dnXlarge', 'EndpointName'] } });
    after.hasResourceProperties('Custom::EndpointLogGroup', { LogGroupName: '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g4dn-xlarge' });
    // The new name is an update of the custom resource: it creates (or adopts) the new group, and
    // CloudFormation's Delete of the old name keeps it for review (RemoveOnDelete false).
    const logsId = Object.keys(change.after).find((id) => change.after[id].Type === 'Custom::EndpointLogGroup')!;
    expect(change.modified).toContain(logsId);
    expect(change.before[logsId]).toMatchObject({ Properties: { LogGroupName: '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g5-xlarge', RemoveOnDelete: 'false' } });
  });

  test('the same instance type keeps the same endpoint: other changes update it in place', () => {
    const same = changeSet(before, buildTestApp({ instanceType: 'ml.g5.xlarge', maxCapacity: '3' }).template);
    expect(same.removed).toEqual([]);
    expect(same.added).toEqual([]);
  });

  test.each([
    ['the model-server worker count (a new model and endpoint config)', { modelServerWorkers: '1' }],
    ['the idle scale-in (its policy and alarm go)', { idleScaleInMinutes: '0' }],
    ['the wake on submit (the invoker\'s permission, the wake check and the outputs go; the wake alarm decides within the minute again)', { wakeOnSubmit: 'false' }],
  ])('changing %s keeps the endpoint and its scalable target', (_what, context) => {
    const change = changeSet(before, buildTestApp(context).template);
    expect(change.removed).not.toContain('EndpointMlG5Xlarge');
    expect(change.added.filter((id) => /^Endpoint|ScalableTarget|AutoScalingTarget/.test(id))).toEqual([]);
    expect(change.removed.length + change.modified.length).toBeGreaterThan(0); // it is a change
  });
});

describe('logs a compliance review accepts', () => {
  test('the endpoint log group exists before the endpoint, created or adopted: encrypted with the operations key, kept a year, never deleted', () => {
    const { template } = buildTestApp();
    const logsId = onlyResourceId(template, 'Custom::EndpointLogGroup');
    template.hasResource('AWS::SageMaker::Endpoint', { DependsOn: Match.arrayWith([logsId]) });
    template.hasResourceProperties('Custom::EndpointLogGroup', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointLogsLogGroupManager'), 'Arn'] },
      LogGroupName: '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g5-xlarge',
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperationsKey'), 'Arn'] },
      RetentionInDays: '365',
      RemoveOnDelete: 'false',
    });
    // No AWS::Logs::LogGroup of that name: one left by an earlier stack would fail the deploy.
    expect(Object.values(template.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.LogGroupName)).not.toContain('/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g5-xlarge');
    buildTestApp({ dataRemovalPolicy: 'destroy' }).template.hasResourceProperties('Custom::EndpointLogGroup', { RemoveOnDelete: 'true' });
  });

  test('the log group function may create, adopt and set retention of this stack\'s endpoint log groups only; delete them only with dataRemovalPolicy=destroy', () => {
    const groups = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:/aws/sagemaker/Endpoints/PegasusSummarizer-dev-*']] };
    const statementsOf = (template: Template) =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith('EndpointLogsLogGroupManager'))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statementsOf(buildTestApp().template)).toContainEqual({ Effect: 'Allow', Action: ['logs:AssociateKmsKey', 'logs:CreateLogGroup', 'logs:PutRetentionPolicy'], Resource: groups });
    expect(statementsOf(buildTestApp({ dataRemovalPolicy: 'destroy' }).template)).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:AssociateKmsKey', 'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy'],
      Resource: groups,
    });
  });

  test('every log group of the stack is encrypted and retained as configured', () => {
    const { template } = buildTestApp({ logRetentionDays: '731', modelDataUrl: 's3://research-models/pegasus/model.tar.gz' });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(4); // invoker, recorder, repack, the endpoint log group's function
    for (const g of groups) expect(g.Properties).toMatchObject({ RetentionInDays: 731, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^OperationsKey/), 'Arn'] } });
    template.hasResourceProperties('Custom::EndpointLogGroup', { RetentionInDays: '731', KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperationsKey'), 'Arn'] } });
  });

  test('the key lets CloudWatch Logs use it for these log groups only, in this account and region', () => {
    const { template } = buildTestApp();
    const arn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:log-group:${name}`]] });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchLogsForTheseLogGroups',
            Effect: 'Allow',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': [arn('/pegasus-summarizer/dev/*'), arn('/aws/sagemaker/Endpoints/PegasusSummarizer-dev-*')] } },
          },
        ]),
      },
    });
  });
});
