import { Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, defaultTestApp, onlyResourceId } from '../helpers/app';

describe('stack', () => {
  test('is named after the stage and is environment-agnostic', () => {
    const { stack } = buildTestApp({ stage: 'prod' });
    expect(stack.stackName).toBe('PegasusSummarizer-prod');
    expect(stack.node.id).toBe('PegasusSummarizer-prod');
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  test('termination protection is off by default and can be turned on', () => {
    expect(defaultTestApp().stack.terminationProtection).toBe(false);
    expect(buildTestApp({ terminationProtection: 'true' }).stack.terminationProtection).toBe(true);
  });

  test('every taggable resource carries the app and stage tags', () => {
    const { template } = buildTestApp({ stage: 'qa' });
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::SageMaker::Endpoint', 'AWS::SageMaker::Model', 'AWS::IAM::Role']) {
      template.allResourcesProperties(type, {
        Tags: Match.arrayWith([{ Key: 'app', Value: 'PegasusSummarizer' }, { Key: 'stage', Value: 'qa' }]),
      });
    }
  });
});

describe('outputs', () => {
  const outputs = () => defaultTestApp().template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
  const s3Url = (prefix: string) => ({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^DocumentsBucket/) }, `/${prefix}/`]] });

  test('give clients the bucket, prefixes, endpoint, timeout, topics, dashboard, table, invoker and how the invoker wakes the endpoint', () => {
    const { template } = defaultTestApp();
    const topic = (name: string) => ({ Ref: onlyResourceId(template, 'AWS::SNS::Topic', { DisplayName: name }) });
    const values = Object.fromEntries(Object.entries(outputs()).map(([k, o]) => [k, o.Value]));
    expect(values).toEqual({
      BucketName: { Ref: expect.stringMatching(/^DocumentsBucket/) },
      InputPrefix: s3Url('input'),
      OutputPrefix: s3Url('output'),
      FailurePrefix: s3Url('failure'),
      EndpointName: { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint/), 'EndpointName'] },
      InvocationTimeoutSeconds: '900',
      SuccessTopicArn: topic('Summarization succeeded'),
      ErrorTopicArn: topic('Summarization failed'),
      OperationsTopicArn: topic('Summarization endpoint alarms'),
      DashboardUrl: expect.objectContaining({ 'Fn::Join': expect.anything() }),
      SummariesTableName: { Ref: expect.stringMatching(/^PipelineSummaries/) },
      InvokerFunctionName: { Ref: expect.stringMatching(/^PipelineInvoker/) },
      WakeVariantName: 'AllTraffic',
      WakeBacklogPerInstance: '5',
      WakeMaxInstances: '5',
    });
    for (const output of Object.values(outputs())) expect(output.Description.length).toBeGreaterThan(5);
  });

  test('the wake outputs exist only when the invoker wakes the endpoint (the CLI wakes it for direct submissions then)', () => {
    for (const context of [{ wakeOnSubmit: 'false' }, { minCapacity: '1' }, { pipeline: 'false' }] as Array<Record<string, string>>) {
      expect(Object.keys(buildTestApp(context).template.toJSON().Outputs).filter((k) => k.startsWith('Wake'))).toEqual([]);
    }
  });

  test('have no exports (nothing else can lock these resources)', () => {
    for (const output of Object.values(outputs())) expect(output).not.toHaveProperty('Export');
  });
});

test('pipeline=false leaves out the pipeline and its output', () => {
  const { template } = buildTestApp({ pipeline: 'false' });
  // Only the deploy-time functions: the endpoint's log group, and the handler archive's copy.
  template.resourceCountIs('AWS::Lambda::Function', 2);
  template.resourceCountIs('Custom::EndpointLogGroup', 1);
  template.resourceCountIs('Custom::HandlerArchiveInAppBucket', 1);
  template.resourceCountIs('AWS::DynamoDB::Table', 0);
  template.resourceCountIs('AWS::SQS::Queue', 0);
  expect(template.toJSON().Outputs).not.toHaveProperty('SummariesTableName');
});
