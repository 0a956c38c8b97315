import 'aws-sdk-client-mock-jest';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_OUTPUTS, DescribeStacksCommand, FakeClock, runCli, stackOutputs } from '../helpers/cli';

const cloudFormation = mockClient(CloudFormationClient);
const cloudWatch = mockClient(CloudWatchClient);
const lambda = mockClient(LambdaClient);
const backlog = (...values: number[]) => ({ MetricDataResults: [{ Id: 'backlog', Values: values, Timestamps: values.map((_, i) => new Date(i * 60_000)) }] });

beforeEach(() => {
  cloudFormation.reset();
  cloudWatch.reset();
  lambda.reset();
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 't', InvokerFunctionName: 'invoker-fn' }));
  lambda.on(ListEventSourceMappingsCommand).resolvesOnce({ EventSourceMappings: [{ UUID: 'm-1' }], NextMarker: 'next' }).resolves({ EventSourceMappings: [{ UUID: 'm-2' }] });
  lambda.on(UpdateEventSourceMappingCommand).resolves({});
});

test('drain pauses the pipeline (every mapping, all pages), then waits for two empty minutes of backlog, exit 0', async () => {
  cloudWatch.on(GetMetricDataCommand).resolvesOnce(backlog(7, 3)).resolvesOnce(backlog(7, 3, 0)).resolves(backlog(3, 0, 0));
  const clock = new FakeClock();
  const start = clock.nowMs;
  const { code, out, err } = await runCli(['drain'], clock);
  expect(code).toBe(0);
  expect(lambda).toHaveReceivedCommandWith(ListEventSourceMappingsCommand, { FunctionName: 'invoker-fn' });
  expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { UUID: 'm-1', Enabled: false });
  expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { UUID: 'm-2', Enabled: false });
  expect(cloudWatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
    MetricDataQueries: [expect.objectContaining({ MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ApproximateBacklogSize', Dimensions: [{ Name: 'EndpointName', Value: 'ep' }] }, Period: 60, Stat: 'Maximum' } })],
  });
  expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 3);
  expect(clock.nowMs - start).toBe(120_000); // one look a minute
  expect(err).toContain('pipeline paused (2 event source mappings of invoker-fn disabled)');
  expect(out).toContain('ep has nothing queued: deploy now, then run `npx summarizer resume`.');
});

test('drain gives up at the deadline with the backlog it saw, exit 2, the pipeline left paused', async () => {
  cloudWatch.on(GetMetricDataCommand).resolves(backlog(40, 41));
  const { code, out } = await runCli(['drain', '--timeout', '300']);
  expect(code).toBe(2);
  expect(out).toContain('ep still had 41 requests queued at the deadline; the pipeline stays paused.');
  expect(lambda).not.toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { Enabled: true });
});

test('resume enables the mappings again', async () => {
  const { code, out } = await runCli(['resume']);
  expect(code).toBe(0);
  expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { UUID: 'm-1', Enabled: true });
  expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { UUID: 'm-2', Enabled: true });
  expect(out).toContain('pipeline resumed (2 event source mappings of invoker-fn enabled): queued uploads go to ep');
});

test('without the pipeline, drain only waits, and resume says what is missing', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
  cloudWatch.on(GetMetricDataCommand).resolves(backlog(0, 0));
  expect((await runCli(['drain'])).code).toBe(0);
  expect(lambda).not.toHaveReceivedAnyCommand();
  const resumed = await runCli(['resume']);
  expect(resumed.code).toBe(1);
  expect(resumed.err).toContain('the stack has no InvokerFunctionName output');
});
