import 'aws-sdk-client-mock-jest';
import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DeleteLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, SageMakerClient, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_OUTPUTS, DescribeStacksCommand, FakeClock, runCli, stackOutputs, tempFiles } from '../helpers/cli';

const cloudFormation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const runtime = mockClient(SageMakerRuntimeClient);
const sagemaker = mockClient(SageMakerClient);
const sns = mockClient(SNSClient);
const dynamodb = mockClient(DynamoDBClient);
const autoScaling = mockClient(ApplicationAutoScalingClient);
const logs = mockClient(CloudWatchLogsClient);

beforeEach(() => {
  for (const m of [cloudFormation, s3, runtime, sagemaker, sns, dynamodb, autoScaling, logs]) m.reset();
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
});

describe('load', () => {
  test('submits at the target rate, then reports latencies and how the endpoint scaled', async () => {
    const clock = new FakeClock();
    const start = clock.nowMs;
    const articles = tempFiles({ 'a.txt': 'Article one.', 'b.txt': 'Article two.' });
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    runtime.on(InvokeEndpointAsyncCommand).callsFake((i) => ({
      OutputLocation: `s3://docs-bucket/output/${i.InferenceId}.out`,
      FailureLocation: `s3://docs-bucket/failure/${i.InferenceId}-error.out`,
    }));
    // Round 1: nothing done, 0 instances. Round 2: 1 instance, request 0 done. Round 3: all done
    // (request 3 failed). Round 4: back to zero.
    const runId = '20261124100000';
    const done = (i: number, seconds: number) => ({ Key: `output/load-${runId}-${i}.out`, LastModified: new Date(start + seconds * 1000) });
    // Only where this run's results can be: the prefix its locations share, not all of output/.
    s3.on(ListObjectsV2Command, { Prefix: `output/load-${runId}-` })
      .resolvesOnce({ Contents: [] })
      .resolvesOnce({ Contents: [done(0, 60)] })
      .resolves({ Contents: [done(0, 60), done(1, 70), done(2, 80)] });
    s3.on(ListObjectsV2Command, { Prefix: `failure/load-${runId}-` })
      .resolvesOnce({ Contents: [] })
      .resolvesOnce({ Contents: [] })
      .resolves({ Contents: [{ Key: `failure/load-${runId}-3-error.out`, LastModified: new Date(start + 90_000) }] });
    const endpoint = (count: number) => ({ EndpointName: 'ep', EndpointArn: 'a', EndpointConfigName: 'c', EndpointStatus: 'InService' as const, CreationTime: new Date(), LastModifiedTime: new Date(), ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: count }] });
    // The first DescribeEndpoint is the pre-flight check that the endpoint takes requests.
    sagemaker.on(DescribeEndpointCommand).resolvesOnce(endpoint(0)).resolvesOnce(endpoint(0)).resolvesOnce(endpoint(1)).resolvesOnce(endpoint(1)).resolves(endpoint(0));

    // One call in flight, so the fake clock (which advances on every sleep) sees the real spacing.
    const { code, out } = await runCli(['load', '--count', '4', '--rate', '2', '--concurrency', '1', '--articles', articles, '--poll', '30', '--watch-scale-in'], clock);

    expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 4);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 2); // each article's payload once
    const inputs = runtime.commandCalls(InvokeEndpointAsyncCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.InferenceId)).toEqual([0, 1, 2, 3].map((i) => `load-${runId}-${i}`));
    expect(new Set(inputs.map((i) => i.InputLocation)).size).toBe(2);
    expect(out).toContain('Submitted        4/4 in 1.5 s (2.7 req/s)'); // 4 requests at 2/s: 0, 0.5, 1.0, 1.5 s
    expect(out).toContain('Finished         3 completed, 1 failed, 0 unfinished');
    // Submitted at 0, 0.5, 1, 1.5 s; finished at 60, 70, 80 and (failed) 90 s.
    expect(out).toContain('Latency          p50 69.5 s, p95 88.5 s, p99 88.5 s');
    // Polls at 1.5 s (0 instances), 31.5 s (1), 61.5 s (1, all done), 91.5 s (0).
    expect(out).toContain('first instance after 31.5 s, at most 1 instances, back to zero 1.5 s after the last result');
    expect(code).toBe(1); // a request failed
    expect(s3).not.toHaveReceivedCommandWith(ListObjectsV2Command, { Prefix: 'output/' });
  });

  test('on a stack whose invoker wakes the endpoint, the load test wakes it itself, sized by --count (capped at the maximum)', async () => {
    const wake = { WakeVariantName: 'AllTraffic', WakeBacklogPerInstance: '5', WakeMaxInstances: '3' };
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries', ...wake }));
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    runtime.on(InvokeEndpointAsyncCommand).resolves({ OutputLocation: 's3://docs-bucket/output/x.out' });
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointName: 'ep', EndpointArn: 'a', EndpointConfigName: 'c', CreationTime: new Date(), LastModifiedTime: new Date(), EndpointStatus: 'InService', ProductionVariants: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 0, CurrentInstanceCount: 0 }] });
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});

    const { err } = await runCli(['load', '--count', '40', '--rate', '100', '--articles', tempFiles({ 'a.txt': 'Article one.' }), '--no-track'], new FakeClock());

    expect(sagemaker).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
    expect(sagemaker).toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, { DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 3 }] });
    expect(err).toContain('woke the endpoint (3 instances)');
  });

  test('a stack output for the wake that is not a number is an error that says what it expected', async () => {
    const wake = { WakeVariantName: 'AllTraffic', WakeBacklogPerInstance: 'five', WakeMaxInstances: '3' };
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, ...wake }));
    const { code, err } = await runCli(['load', '--count', '1', '--rate', '1'], new FakeClock());
    expect(code).toBe(1);
    expect(err).toContain('the stack outputs WakeBacklogPerInstance and WakeMaxInstances are "five" and "3"; expected a number above 0 and a whole number of at least 1.');
  });

  test('no usable articles is a clear error', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointName: 'ep', EndpointArn: 'a', EndpointConfigName: 'c', CreationTime: new Date(), LastModifiedTime: new Date(), EndpointStatus: 'InService' });
    const { code, err } = await runCli(['load', '--count', '1', '--rate', '1', '--articles', tempFiles({ 'x.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]) })], new FakeClock());
    expect(code).toBe(1);
    expect(err).toContain('no usable sample articles');
  });
});

describe('subscribe', () => {
  test('to the success and error topics', async () => {
    const { code } = await runCli(['subscribe', '--email', 'team@example.com']);
    expect(code).toBe(0);
    expect(sns).toHaveReceivedCommandTimes(SubscribeCommand, 2);
    expect(sns).toHaveReceivedCommandWith(SubscribeCommand, { TopicArn: BASE_OUTPUTS.SuccessTopicArn, Protocol: 'email', Endpoint: 'team@example.com' });
    expect(sns).toHaveReceivedCommandWith(SubscribeCommand, { TopicArn: BASE_OUTPUTS.ErrorTopicArn });
  });

  test('to the operations topic', async () => {
    await runCli(['subscribe', '--email', 'oncall@example.com', '--operations']);
    expect(sns).toHaveReceivedCommandTimes(SubscribeCommand, 1);
    expect(sns).toHaveReceivedCommandWith(SubscribeCommand, { TopicArn: BASE_OUTPUTS.OperationsTopicArn });
  });

  test('needs only the topics: a stack with nothing but topic outputs works; --topic needs no stack; a missing topic names a flag subscribe has', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ SuccessTopicArn: 'arn:s', ErrorTopicArn: 'arn:e' }));
    expect((await runCli(['subscribe', '--email', 'team@example.com'])).code).toBe(0);
    const missing = await runCli(['subscribe', '--email', 'team@example.com', '--operations']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('the stack has no OperationsTopicArn output (is it deployed with this feature on?); pass --topic to name it directly.');
    cloudFormation.reset();
    sns.resetHistory();
    expect((await runCli(['subscribe', '--email', 'team@example.com', '--topic', 'arn:x', '--topic', 'arn:y'])).code).toBe(0);
    expect(cloudFormation).not.toHaveReceivedAnyCommand();
    expect(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input.TopicArn)).toEqual(['arn:x', 'arn:y']);
  });

  test('an address the topic policy does not admit: says to configure it and deploy', async () => {
    sns.on(SubscribeCommand).rejects(Object.assign(new Error('User is not authorized to perform: SNS:Subscribe with an explicit deny in a resource-based policy'), { name: 'AuthorizationErrorException' }));
    const { code, err } = await runCli(['subscribe', '--email', 'someone@example.org']);
    expect(code).toBe(1);
    expect(err).toContain(`${BASE_OUTPUTS.SuccessTopicArn} accepts only the addresses configured for it: add someone@example.org to notificationEmails (alarmEmails for --operations) and deploy`);
  });

  test('an invalid address', async () => {
    const { code, err } = await runCli(['subscribe', '--email', 'oncall']);
    expect(code).toBe(1);
    expect(err).toBe('error: "oncall" is not an email address.\n');
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});

describe('cleanup', () => {
  const gone = Object.assign(new Error('Stack with id PegasusSummarizer-dev does not exist'), { name: 'ValidationError' });
  const ourTags = [{ Key: 'app', Value: 'PegasusSummarizer' }, { Key: 'stage', Value: 'dev' }];

  beforeEach(() => {
    cloudFormation.on(DescribeStacksCommand).rejects(gone);
    s3.on(ListBucketsCommand).resolves({
      Buckets: [{ Name: 'pegasussummarizer-dev-documentsbucket-abc' }, { Name: 'pegasussummarizer-dev-other-xyz' }, { Name: 'someone-else' }],
    });
    s3.on(GetBucketTaggingCommand, { Bucket: 'pegasussummarizer-dev-documentsbucket-abc' }).resolves({ TagSet: ourTags });
    s3.on(GetBucketTaggingCommand, { Bucket: 'pegasussummarizer-dev-other-xyz' }).resolves({ TagSet: [{ Key: 'app', Value: 'Else' }] });
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ Versions: [{ Key: 'input/a.txt', VersionId: 'v1' }], DeleteMarkers: [{ Key: 'input/b.txt', VersionId: 'd1' }], IsTruncated: true, NextKeyMarker: 'k', NextVersionIdMarker: 'v' })
      .resolves({ Versions: [{ Key: 'output/x.out', VersionId: 'v2' }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({});
    dynamodb.on(ListTablesCommand).resolves({ TableNames: ['PegasusSummarizer-dev-PipelineSummaries-XYZ', 'Other'] });
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableArn: 'arn:aws:dynamodb:us-east-1:1:table/t' } });
    dynamodb.on(ListTagsOfResourceCommand).resolves({ Tags: ourTags });
    // Two pages: the target of ours is on the second.
    autoScaling.on(DescribeScalableTargetsCommand, { NextToken: undefined }).resolves({ ScalableTargets: [], NextToken: 'page2' });
    autoScaling.on(DescribeScalableTargetsCommand, { NextToken: 'page2' }).resolves({
      ScalableTargets: [
        { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/Endpoint-1/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 0, MaxCapacity: 5, RoleARN: 'r', CreationTime: new Date(), ScalableTargetARN: 'arn:t1' },
        { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/theirs/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 0, MaxCapacity: 5, RoleARN: 'r', CreationTime: new Date(), ScalableTargetARN: 'arn:t2' },
      ],
    });
    autoScaling.on(ListTagsForResourceCommand, { ResourceARN: 'arn:t1' }).resolves({ Tags: { app: 'PegasusSummarizer', stage: 'dev' } });
    autoScaling.on(ListTagsForResourceCommand, { ResourceARN: 'arn:t2' }).resolves({ Tags: {} });
    logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-' }).resolves({
      logGroups: [{ logGroupName: '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g5-xlarge' }, { logGroupName: '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g6-xlarge' }],
    });
  });

  test('is a dry run by default: lists what it would remove, deletes nothing', async () => {
    const { code, out } = await runCli(['cleanup']);
    expect(code).toBe(0);
    expect(out).toContain('would remove bucket pegasussummarizer-dev-documentsbucket-abc: delete every object version, then the bucket');
    expect(out).toContain('would remove table PegasusSummarizer-dev-PipelineSummaries-XYZ');
    expect(out).toContain('would remove scalable-target endpoint/Endpoint-1/variant/AllTraffic');
    expect(out).toContain('would remove log-group /aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g5-xlarge: delete the endpoint log group and its logs');
    expect(out).toContain('would remove log-group /aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g6-xlarge');
    expect(logs).not.toHaveReceivedCommand(DeleteLogGroupCommand);
    expect(out).not.toContain('someone-else');
    expect(out).not.toContain('other-xyz');
    expect(out).not.toContain('theirs');
    expect(s3).not.toHaveReceivedCommand(DeleteObjectsCommand);
    expect(s3).not.toHaveReceivedCommand(DeleteBucketCommand);
    expect(dynamodb).not.toHaveReceivedCommand(DeleteTableCommand);
  });

  test('--yes empties (every version and delete marker) and deletes, and deregisters the target', async () => {
    const { code } = await runCli(['cleanup', '--yes']);
    expect(code).toBe(0);
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'pegasussummarizer-dev-documentsbucket-abc', Delete: { Objects: [{ Key: 'input/a.txt', VersionId: 'v1' }, { Key: 'input/b.txt', VersionId: 'd1' }], Quiet: true } },
      { Bucket: 'pegasussummarizer-dev-documentsbucket-abc', Delete: { Objects: [{ Key: 'output/x.out', VersionId: 'v2' }], Quiet: true } },
    ]);
    expect(s3).toHaveReceivedCommandWith(ListObjectVersionsCommand, { KeyMarker: 'k', VersionIdMarker: 'v' });
    expect(s3).toHaveReceivedCommandWith(DeleteBucketCommand, { Bucket: 'pegasussummarizer-dev-documentsbucket-abc' });
    expect(dynamodb).toHaveReceivedCommandWith(DeleteTableCommand, { TableName: 'PegasusSummarizer-dev-PipelineSummaries-XYZ' });
    expect(autoScaling).toHaveReceivedCommandWith(DeregisterScalableTargetCommand, { ResourceId: 'endpoint/Endpoint-1/variant/AllTraffic' });
    expect(autoScaling).toHaveReceivedCommandTimes(DeregisterScalableTargetCommand, 1);
    expect(logs.commandCalls(DeleteLogGroupCommand).map((c) => c.args[0].input.logGroupName)).toEqual([
      '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g5-xlarge',
      '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g6-xlarge',
    ]);
  });

  test('refuses while the stack still exists', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
    const { code, err } = await runCli(['cleanup', '--yes']);
    expect(code).toBe(1);
    expect(err).toContain('stack "PegasusSummarizer-dev" still exists; run npx cdk destroy -c stage=dev first');
    expect(s3).not.toHaveReceivedAnyCommand();
  });
});
