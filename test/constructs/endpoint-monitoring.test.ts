import { Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, defaultTestApp, onlyResourceId } from '../helpers/app';
import { evaluate, TARGETS } from '../helpers/intrinsics';

const endpointName = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Endpoint'), 'EndpointName'] };
const variantDimensions = [
  { Name: 'EndpointName', Value: endpointName },
  { Name: 'VariantName', Value: 'AllTraffic' },
];

function operationsTopicId(): string {
  return onlyResourceId(defaultTestApp().template, 'AWS::SNS::Topic', { DisplayName: 'Summarization endpoint alarms' });
}

describe('operator alarms go to the operations topic (ALARM and OK)', () => {
  test.each(['InvocationFailures', 'ExpiredRequests', 'NotificationFailures', 'ResponseUploadFailures', 'RequestDownloadFailures'])(
    '%s: any failure in 5 minutes',
    (metricName) => {
      const topic = { Ref: operationsTopicId() };
      defaultTestApp().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SageMaker',
        MetricName: metricName,
        Dimensions: variantDimensions,
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
        AlarmDescription: Match.anyValue(),
      });
    },
  );

  test('oldest request older than the threshold (queue metric: EndpointName only)', () => {
    const topic = { Ref: operationsTopicId() };
    defaultTestApp().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker',
      MetricName: 'ApproximateAgeOfOldestRequest',
      Dimensions: [{ Name: 'EndpointName', Value: endpointName }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topic],
    });
    buildTestApp({ oldestRequestAlarmSeconds: '1800' }).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestRequest',
      Threshold: 1800,
    });
  });

  test('backlog without capacity for too long: scale-out from zero failed', () => {
    const topic = { Ref: operationsTopicId() };
    defaultTestApp().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker',
      MetricName: 'HasBacklogWithoutCapacity',
      Dimensions: [{ Name: 'EndpointName', Value: endpointName }],
      Period: 60,
      EvaluationPeriods: 15,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    buildTestApp({ backlogWithoutCapacityAlarmMinutes: '30' }).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HasBacklogWithoutCapacity',
      EvaluationPeriods: 30,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsTopic') }],
    });
  });

  test.each(['StuckSubmissions', 'PendingWithoutResult'])('%s: the sweeper\'s embedded metric, per table, alarms at one', (metricName) => {
    defaultTestApp().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'PegasusSummarizer/Pipeline',
      MetricName: metricName,
      Dimensions: [{ Name: 'TableName', Value: { Ref: Match.stringLikeRegexp('^PipelineSummaries') } }],
      Statistic: 'Maximum',
      Period: 1800,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsTopic') }],
    });
  });

  test.each([
    ['seven endpoint and eight pipeline alarms, plus the two scaling alarms and the wake check', {}, 15, 3],
    ['without the pipeline: seven endpoint alarms, plus the two scaling alarms', { pipeline: 'false' }, 7, 2],
  ])('%s', (_name, values, operatorAlarms, machineAlarms) => {
    const { template } = buildTestApp(values);
    // Wake from zero, idle scale-in and the invoker's wake check act on the endpoint: not for operators.
    template.resourceCountIs('AWS::CloudWatch::Alarm', operatorAlarms + machineAlarms);
    const topic = onlyResourceId(template, 'AWS::SNS::Topic', { DisplayName: 'Summarization endpoint alarms' });
    const toOperations = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmActions: [{ Ref: topic }] } });
    expect(Object.keys(toOperations)).toHaveLength(operatorAlarms);
  });
});

describe('dashboard', () => {
  /** The dashboard body with every token rendered for us-east-1 and the endpoint named "ep". */
  function dashboardBody(): any {
    const { template } = defaultTestApp();
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const parts: unknown[] = dashboard.Properties.DashboardBody['Fn::Join'][1];
    const text = parts
      .map((p: any) => {
        if (typeof p === 'string') return p;
        if (p['Fn::GetAtt']) return p['Fn::GetAtt'][0].startsWith('Endpoint') ? 'ep' : p['Fn::GetAtt'][0];
        if (p.Ref && !p.Ref.startsWith('AWS::')) return p.Ref;
        return evaluate(p, template.toJSON(), TARGETS['us-east-1']);
      })
      .join('');
    return JSON.parse(text);
  }

  const metricsOf = (widget: any): unknown[][] => widget.properties.metrics ?? [];
  const titled = (title: string) => dashboardBody().widgets.find((w: any) => w.properties.title === title);

  test('queue widgets use the EndpointName-only queue metrics', () => {
    const backlog = metricsOf(titled('Queue: backlog'));
    // No "stat" key means Average, the dashboard default.
    const average = expect.not.objectContaining({ stat: expect.anything() });
    expect(backlog).toContainEqual(['AWS/SageMaker', 'ApproximateBacklogSize', 'EndpointName', 'ep', average]);
    expect(backlog).toContainEqual(['AWS/SageMaker', 'ApproximateBacklogSizePerInstance', 'EndpointName', 'ep', expect.objectContaining({ yAxis: 'right' })]);
    expect(titled('Queue: backlog').properties.annotations.horizontal).toEqual([
      expect.objectContaining({ value: 5, label: 'Scaling target', yAxis: 'right' }),
    ]);
    expect(metricsOf(titled('Queue: age of oldest request (s)'))).toContainEqual(['AWS/SageMaker', 'ApproximateAgeOfOldestRequest', 'EndpointName', 'ep', expect.objectContaining({ stat: 'Maximum' })]);
    expect(metricsOf(titled('Queue: backlog without capacity'))).toContainEqual(['AWS/SageMaker', 'HasBacklogWithoutCapacity', 'EndpointName', 'ep', expect.anything()]);
  });

  test('work widgets: processed under both spellings, failures, times converted to seconds', () => {
    const work = JSON.stringify(metricsOf(titled('Work: processed and failed')));
    expect(work).toContain('"InvocationsProcesssed","EndpointName","ep","VariantName","AllTraffic"');
    expect(work).toContain('"InvocationsProcessed","EndpointName","ep","VariantName","AllTraffic"');
    expect(work).toContain('FILL(documented, 0) + FILL(alternative, 0)');
    expect(work).toContain('"InvocationFailures","EndpointName","ep","VariantName","AllTraffic"');
    const time = JSON.stringify(metricsOf(titled('Work: time (s)')));
    expect(time).toContain('"expression":"backlog / 1000"');
    expect(time).toContain('"expression":"model / 1000000"');
    for (const m of ['TimeInBacklog', 'TotalProcessingTime', 'ModelLatency']) expect(time).toContain(`"${m}","EndpointName","ep","VariantName","AllTraffic"`);
  });

  test('instance widgets: count from the SampleCount of CPUUtilization, GPU, memory, disk', () => {
    expect(metricsOf(titled('Instances: count (SampleCount of CPUUtilization)'))).toContainEqual([
      '/aws/sagemaker/Endpoints', 'CPUUtilization', 'EndpointName', 'ep', 'VariantName', 'AllTraffic',
      expect.objectContaining({ stat: 'SampleCount', period: 60 }),
    ]);
    const gpu = JSON.stringify(metricsOf(titled('Instances: GPU (%)')));
    expect(gpu).toContain('"/aws/sagemaker/Endpoints","GPUUtilization"');
    expect(gpu).toContain('"/aws/sagemaker/Endpoints","GPUMemoryUtilization"');
    const host = JSON.stringify(metricsOf(titled('Instances: CPU, memory, disk (%)')));
    for (const m of ['CPUUtilization', 'MemoryUtilization', 'DiskUtilization']) expect(host).toContain(`"${m}"`);
  });

  test('an alarm status widget lists every operator alarm', () => {
    const widget = dashboardBody().widgets.find((w: any) => w.type === 'alarm');
    expect(widget.properties.alarms).toHaveLength(15);
  });

  test('the dashboard has no fixed name, and its URL follows the partition', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: Match.absent() });
    const url = template.toJSON().Outputs.DashboardUrl.Value;
    const dashboardId = onlyResourceId(template, 'AWS::CloudWatch::Dashboard');
    const render = (region: string) =>
      JSON.stringify(url).includes(dashboardId) &&
      evaluate({ 'Fn::Join': ['', url['Fn::Join'][1].map((p: any) => (p.Ref === dashboardId ? 'dash' : p))] }, template.toJSON(), TARGETS[region]);
    expect(render('us-east-1')).toBe('https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=dash');
    expect(render('cn-north-1')).toBe('https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards:name=dash');
    expect(render('us-gov-west-1')).toBe('https://us-gov-west-1.console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#dashboards:name=dash');
    // Every partition the image mapping serves has a console domain (ISO ones ⚠ unconfirmed, see CONSOLE_DOMAINS).
    expect(render('us-iso-east-1')).toBe('https://us-iso-east-1.console.c2shome.ic.gov/cloudwatch/home?region=us-iso-east-1#dashboards:name=dash');
    expect(render('us-isob-east-1')).toBe('https://us-isob-east-1.console.sc2shome.sgov.gov/cloudwatch/home?region=us-isob-east-1#dashboards:name=dash');
  });

  test('the console mapping covers every partition the image registry mapping has a region in', () => {
    const { template } = defaultTestApp();
    const partitions = Object.keys(template.toJSON().Mappings.ConsoleDomains).sort();
    const imageRegions = Object.keys(template.toJSON().Mappings.HuggingFaceDlcRegistryAccounts);
    const partitionOf = (r: string) => (r.startsWith('cn-') ? 'aws-cn' : r.startsWith('us-gov-') ? 'aws-us-gov' : r.startsWith('us-isob-') ? 'aws-iso-b' : r.startsWith('us-iso-') ? 'aws-iso' : 'aws');
    expect(partitions).toEqual([...new Set(imageRegions.map(partitionOf))].sort());
  });
});
