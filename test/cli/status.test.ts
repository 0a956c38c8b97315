import 'aws-sdk-client-mock-jest';
import { ApplicationAutoScalingClient, DescribeScalingActivitiesCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_OUTPUTS, DescribeStacksCommand, FakeClock, runCli, stackOutputs } from '../helpers/cli';

const cloudFormation = mockClient(CloudFormationClient);
const sagemaker = mockClient(SageMakerClient);
const cloudWatch = mockClient(CloudWatchClient);
const autoScaling = mockClient(ApplicationAutoScalingClient);

beforeEach(() => {
  for (const m of [cloudFormation, sagemaker, cloudWatch, autoScaling]) m.reset();
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
  sagemaker.on(DescribeEndpointCommand).resolves({
    EndpointName: 'ep',
    EndpointArn: 'arn',
    EndpointConfigName: 'c',
    EndpointStatus: 'InService',
    CreationTime: new Date(),
    LastModifiedTime: new Date(),
    ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 2, DesiredInstanceCount: 3 }],
  });
  cloudWatch.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: 'm0', Values: [40, 120, 10] },
      { Id: 'm1', Values: [20] },
      { Id: 'm2', Values: [] },
      { Id: 'm3', Values: [0, 1] },
    ],
  });
  autoScaling.on(DescribeScalingActivitiesCommand).resolves({
    ScalingActivities: [
      {
        ActivityId: 'a',
        ServiceNamespace: 'sagemaker',
        ResourceId: 'endpoint/ep/variant/AllTraffic',
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        Description: 'Setting desired instance count to 3.',
        Cause: 'monitor alarm TargetTracking-endpoint/ep-AlarmHigh in state ALARM triggered policy BacklogPerInstanceTracking',
        StartTime: new Date('2026-11-24T09:58:00Z'),
        StatusCode: 'Successful',
      },
    ],
  });
  cloudWatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [{ AlarmName: 'PegasusSummarizer-dev-MonitoringOldestRequestAlarm-X', StateReason: 'Threshold Crossed', StateUpdatedTimestamp: new Date('2026-11-24T09:59:00Z') }],
  });
});

test('reports endpoint, instances, queue metrics, why it scaled, and alarms', async () => {
  const { code, out } = await runCli(['status', '--minutes', '30'], new FakeClock());
  expect(code).toBe(0);
  expect(out).toContain('Endpoint   ep: InService');
  expect(out).toContain('Instances  2 running, 3 desired');
  expect(out).toMatch(/ApproximateBacklogSize\s+40 \/ 120/);
  expect(out).toMatch(/ApproximateAgeOfOldestRequest\s+no data \/ no data/);
  expect(out).toContain('Successful: Setting desired instance count to 3. (cause: monitor alarm TargetTracking');
  expect(out).toContain('PegasusSummarizer-dev-MonitoringOldestRequestAlarm-X since 2026-11-24T09:59:00.000Z: Threshold Crossed');
});

test('queries the queue metrics with the EndpointName dimension only, and alarms by stack prefix', async () => {
  await runCli(['status'], new FakeClock());
  const query = cloudWatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
  expect(query.MetricDataQueries!.map((q) => [q.MetricStat!.Metric!.MetricName, q.MetricStat!.Metric!.Dimensions])).toEqual([
    ['ApproximateBacklogSize', [{ Name: 'EndpointName', Value: 'ep' }]],
    ['ApproximateBacklogSizePerInstance', [{ Name: 'EndpointName', Value: 'ep' }]],
    ['ApproximateAgeOfOldestRequest', [{ Name: 'EndpointName', Value: 'ep' }]],
    ['HasBacklogWithoutCapacity', [{ Name: 'EndpointName', Value: 'ep' }]],
  ]);
  expect(query.EndTime!.getTime() - query.StartTime!.getTime()).toBe(60 * 60_000);
  expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: 'PegasusSummarizer-dev', StateValue: 'ALARM' });
  expect(autoScaling).toHaveReceivedCommandWith(DescribeScalingActivitiesCommand, { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/ep/variant/AllTraffic' });
});

test('--json for scripts', async () => {
  const { out } = await runCli(['status', '--json'], new FakeClock());
  expect(JSON.parse(out)).toMatchObject({ endpointName: 'ep', status: 'InService', currentInstances: 2, metrics: { HasBacklogWithoutCapacity: { latest: 0, max: 1 } } });
});

test('an endpoint that is not InService exits 1 and says why', async () => {
  sagemaker.on(DescribeEndpointCommand).resolves({
    EndpointName: 'ep', EndpointArn: 'a', EndpointConfigName: 'c', CreationTime: new Date(), LastModifiedTime: new Date(),
    EndpointStatus: 'Failed', FailureReason: 'Image not found',
  });
  const { code, out } = await runCli(['status'], new FakeClock());
  expect(code).toBe(1);
  expect(out).toContain('Endpoint   ep: Failed (Image not found)');
});

test('an endpoint that cannot be read is marked so, and the rest is still reported (exit 1)', async () => {
  sagemaker.on(DescribeEndpointCommand).rejects(Object.assign(new Error('Could not find endpoint "ep".'), { name: 'ValidationException' }));
  const { code, out } = await runCli(['status'], new FakeClock());
  expect(code).toBe(1);
  expect(out).toContain('Endpoint   ep: UNREADABLE (ValidationException: Could not find endpoint "ep".)');
  expect(out).toContain('Queue (last 60 min: latest / max)');
  expect(out).toMatch(/ApproximateBacklogSize\s/);
});

test('one optional call that fails (alarms) is marked, not fatal', async () => {
  cloudWatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied' }));
  const { code, out } = await runCli(['status'], new FakeClock());
  expect(code).toBe(1);
  expect(out).toContain('Endpoint   ep: InService');
  expect(out).toContain('Alarms in ALARM\n  UNREADABLE: AccessDenied: not authorized to perform: cloudwatch:DescribeAlarms');
});

test('status needs only the endpoint: a stack without bucket or table outputs, or --endpoint with no stack at all', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ EndpointName: 'ep' }));
  expect((await runCli(['status'], new FakeClock())).code).toBe(0);
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand).rejects(new Error('must not be called'));
  const direct = await runCli(['status', '--endpoint', 'ep'], new FakeClock());
  expect(direct.code).toBe(0);
  expect(cloudFormation).not.toHaveReceivedAnyCommand();
});
