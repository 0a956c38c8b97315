import { Aws, CfnMapping, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AsyncInferenceEndpoint } from './async-inference-endpoint';
import type { SummaryPipeline } from './summary-pipeline';

export interface EndpointMonitoringProps {
  readonly endpoint: AsyncInferenceEndpoint;
  /** Topic that receives every operator alarm (ALARM and OK). */
  readonly alarmTopic: sns.ITopic;
  /** Drawn as a line on the backlog-per-instance graph. */
  readonly targetBacklogPerInstance: number;
  /**
   * Alarm when the oldest queued request is older than this.
   *
   * @default Duration.hours(1)
   */
  readonly oldestRequestThreshold?: Duration;
  /**
   * Alarm when requests have waited at zero instances this long (scale-out from zero failed).
   *
   * @default Duration.minutes(15)
   */
  readonly backlogWithoutCapacityThreshold?: Duration;
  /**
   * The research pipeline, whose queues and functions get alarms and a dashboard row.
   *
   * @default - no pipeline
   */
  readonly pipeline?: SummaryPipeline;
}

/** Oldest ingest message age that means the invoker is stuck or failing. */
const INGEST_AGE_THRESHOLD = Duration.minutes(15);

/** Failure counters that should stay at zero; any non-zero 5-minute sum pages the operator. */
const FAILURE_ALARMS = [
  {
    id: 'InvocationFailuresAlarm',
    metric: (e: AsyncInferenceEndpoint) => e.metricInvocationFailures(),
    description:
      'Summarization requests failed. Error notifications and failure/ objects carry the reason; container logs are in /aws/sagemaker/Endpoints/<endpoint>.',
  },
  {
    id: 'ExpiredRequestsAlarm',
    metric: (e: AsyncInferenceEndpoint) => e.metricExpiredRequests(),
    description: 'Requests expired in the queue before an instance processed them: capacity is too low or too slow to start.',
  },
  {
    id: 'NotificationFailuresAlarm',
    metric: (e: AsyncInferenceEndpoint) => e.metricNotificationFailures(),
    description: 'SageMaker could not publish result notifications (check the topic key policy and sns:Publish on the execution role).',
  },
  {
    id: 'ResponseUploadFailuresAlarm',
    metric: (e: AsyncInferenceEndpoint) => e.metricResponseUploadFailures(),
    description: 'SageMaker could not write results to output/ or failure/ (check bucket and KMS permissions).',
  },
  {
    id: 'RequestDownloadFailuresAlarm',
    metric: (e: AsyncInferenceEndpoint) => e.metricRequestDownloadFailures(),
    description: 'SageMaker could not read request payloads from input/ (check the object exists and the execution role can decrypt it).',
  },
] as const;

/**
 * Console domain per partition, for every partition the image mapping serves (inference-image.ts).
 * ⚠ The two ISO domains are unconfirmed (no public AWS page states them): check the dashboard
 * link after deploying there, and correct this one constant if it is wrong.
 */
export const CONSOLE_DOMAINS = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
  'aws-iso': 'console.c2shome.ic.gov',
  'aws-iso-b': 'console.sc2shome.sgov.gov',
} as const;

/**
 * The dashboard a user opens first (queue, work, instances, alarms) and the operator alarms,
 * all sent to the operations topic.
 */
export class EndpointMonitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: EndpointMonitoringProps) {
    super(scope, id);
    const { endpoint } = props;
    const oldestRequestThreshold = props.oldestRequestThreshold ?? Duration.hours(1);
    const backlogMinutes = (props.backlogWithoutCapacityThreshold ?? Duration.minutes(15)).toMinutes();
    const alarmAction = new actions.SnsAction(props.alarmTopic);

    const addAlarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const alarm = new cloudwatch.Alarm(this, alarmId, alarmProps);
      alarm.addAlarmAction(alarmAction);
      alarm.addOkAction(alarmAction);
      this.alarms.push(alarm);
      return alarm;
    };

    for (const failure of FAILURE_ALARMS) {
      addAlarm(failure.id, {
        alarmDescription: failure.description,
        metric: failure.metric(endpoint),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No datapoint means nothing failed.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    addAlarm('OldestRequestAlarm', {
      alarmDescription: `A request has waited more than ${oldestRequestThreshold.toSeconds()} s in the queue: the endpoint is not keeping up (raise maxCapacity or check that instances start).`,
      metric: endpoint.metricApproximateAgeOfOldestRequest({ statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: oldestRequestThreshold.toSeconds(),
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    addAlarm('BacklogWithoutCapacityAlarm', {
      alarmDescription: `Requests have waited ${backlogMinutes} minutes with no instance running: scale-out from zero failed (see the scalable target's scaling activities, and instance quotas).`,
      metric: endpoint.metricHasBacklogWithoutCapacity({ statistic: cloudwatch.Stats.MINIMUM }),
      threshold: 1,
      evaluationPeriods: backlogMinutes,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.pipeline) this.addPipelineAlarms(props.pipeline, addAlarm);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: this.widgets(props),
    });
  }

  /** Console URL of the dashboard in the deployment region and partition. */
  public get dashboardUrl(): string {
    const stack = Stack.of(this);
    const mappingId = 'ConsoleDomains';
    const mapping =
      (stack.node.tryFindChild(mappingId) as CfnMapping | undefined) ??
      new CfnMapping(stack, mappingId, {
        mapping: Object.fromEntries(Object.entries(CONSOLE_DOMAINS).map(([p, d]) => [p, { domain: d }])),
      });
    const domain = mapping.findInMap(Aws.PARTITION, 'domain');
    return `https://${Aws.REGION}.${domain}/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  private addPipelineAlarms(
    pipeline: SummaryPipeline,
    addAlarm: (id: string, props: cloudwatch.AlarmProps) => cloudwatch.Alarm,
  ): void {
    const atLeastOne = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    addAlarm('IngestDeadLetterAlarm', {
      ...atLeastOne,
      alarmDescription:
        'Uploaded documents could not be submitted (see the invoker logs); they wait in the ingest dead-letter queue for a redrive.',
      metric: pipeline.ingestDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM }),
    });
    addAlarm('ResultsDeadLetterAlarm', {
      ...atLeastOne,
      alarmDescription:
        'Result notifications could not be recorded (see the recorder logs); they wait in the results dead-letter queue for a redrive.',
      metric: pipeline.resultsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM }),
    });
    addAlarm('SweepDeadLetterAlarm', {
      ...atLeastOne,
      alarmDescription:
        'A scheduled sweep could not be delivered to the invoker (throttled or denied, after EventBridge retries): stuck records and requests without result are not being swept. The next sweep runs 30 minutes later; check the invoker\'s concurrency and permissions.',
      metric: pipeline.sweepDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM }),
    });
    addAlarm('IngestQueueAgeAlarm', {
      ...atLeastOne,
      threshold: INGEST_AGE_THRESHOLD.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `An uploaded document has waited more than ${INGEST_AGE_THRESHOLD.toMinutes()} minutes to be submitted: the invoker is failing or throttled.`,
      metric: pipeline.ingestQueue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM }),
    });
    addAlarm('StuckSubmissionsAlarm', {
      ...atLeastOne,
      alarmDescription:
        'The sweeper found records stuck in SUBMITTING past the ingest retry window (an invoker crashed or timed out on the last delivery); it resubmitted or failed each one: see the invoker logs ("swept a stuck submission").',
      metric: pipeline.metricStuckSubmissions(),
    });
    addAlarm('PendingWithoutResultAlarm', {
      ...atLeastOne,
      alarmDescription:
        'The sweeper found requests PENDING whose result never reached the table: it recorded a result whose notification was lost, sent a request again (its endpoint was replaced, or it outlived its queue TTL and invocation timeout), or recorded FAILED one already sent twice: see the invoker logs ("recovered a result", "submitted a request without result again", "recorded FAILED").',
      metric: pipeline.metricPendingWithoutResult(),
    });
    for (const [id, fn] of [['InvokerErrorsAlarm', pipeline.invoker], ['RecorderErrorsAlarm', pipeline.recorder]] as const) {
      addAlarm(id, {
        ...atLeastOne,
        alarmDescription: `The ${fn.node.id.toLowerCase()} Lambda crashed or timed out; its messages are retried, then dead-lettered.`,
        metric: fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
      });
    }
  }

  private pipelineWidgets(pipeline: SummaryPipeline): cloudwatch.IWidget[] {
    const graph = (title: string, left: cloudwatch.IMetric[]) => new cloudwatch.GraphWidget({ title, left, width: 8, height: 6 });
    return [
      graph('Pipeline: queues', [
        pipeline.ingestQueue.metricApproximateNumberOfMessagesVisible({ label: 'Uploads waiting' }),
        pipeline.resultsQueue.metricApproximateNumberOfMessagesVisible({ label: 'Results waiting' }),
        pipeline.ingestDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'Ingest DLQ' }),
        pipeline.resultsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'Results DLQ' }),
        pipeline.sweepDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'Sweep DLQ' }),
      ]),
      graph('Pipeline: invocations and errors', [
        pipeline.invoker.metricInvocations({ label: 'Invoker runs' }),
        pipeline.invoker.metricErrors({ label: 'Invoker errors' }),
        pipeline.recorder.metricInvocations({ label: 'Recorder runs' }),
        pipeline.recorder.metricErrors({ label: 'Recorder errors' }),
      ]),
      graph('Pipeline: duration (p90, ms)', [
        pipeline.invoker.metricDuration({ statistic: 'p90', label: 'Invoker' }),
        pipeline.recorder.metricDuration({ statistic: 'p90', label: 'Recorder' }),
      ]),
    ];
  }

  private widgets(props: EndpointMonitoringProps): cloudwatch.IWidget[][] {
    const { endpoint } = props;
    const seconds = (id: string, metric: cloudwatch.IMetric, divisor: number, label: string) =>
      new cloudwatch.MathExpression({ expression: `${id} / ${divisor}`, usingMetrics: { [id]: metric }, label });
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, ...extra });

    return [
      [
        new cloudwatch.TextWidget({
          markdown:
            '# Summarization endpoint\n' +
            'Queue → work → instances. At rest the endpoint has **0 instances** and costs nothing per hour; ' +
            'a burst shows backlog first, then *backlog without capacity* until the first instance is up (several minutes), ' +
            'then processed requests. Alarms go to the operations topic.',
          width: 24,
          height: 3,
        }),
      ],
      [
        new cloudwatch.SingleValueWidget({
          title: 'Now',
          metrics: [endpoint.metricApproximateBacklogSize({ label: 'Backlog' }), endpoint.metricInstanceCount()],
          width: 24,
          height: 4,
        }),
      ],
      [
        graph('Queue: backlog', [endpoint.metricApproximateBacklogSize({ label: 'Backlog (requests)' })], {
          right: [endpoint.metricApproximateBacklogSizePerInstance({ label: 'Backlog per instance' })],
          rightAnnotations: [{ value: props.targetBacklogPerInstance, label: 'Scaling target' }],
        }),
        graph('Queue: age of oldest request (s)', [
          endpoint.metricApproximateAgeOfOldestRequest({ statistic: cloudwatch.Stats.MAXIMUM, label: 'Oldest request' }),
        ]),
        graph('Queue: backlog without capacity', [
          endpoint.metricHasBacklogWithoutCapacity({ label: 'Has backlog without capacity' }),
        ], { leftYAxis: { min: 0, max: 1 } }),
      ],
      [
        graph('Work: processed and failed', [
          endpoint.metricInvocationsProcessed(),
          endpoint.metricInvocationFailures({ label: 'Failed' }),
          endpoint.metricExpiredRequests({ label: 'Expired' }),
        ]),
        graph('Work: time (s)', [
          seconds('backlog', endpoint.metricTimeInBacklog(), 1000, 'Time in backlog'),
          seconds('total', endpoint.metricTotalProcessingTime(), 1000, 'Total processing time'),
          seconds('model', endpoint.metricModelLatency(), 1_000_000, 'Model latency'),
        ]),
        graph('Work: S3 and SNS failures', [
          endpoint.metricRequestDownloadFailures({ label: 'Request download' }),
          endpoint.metricResponseUploadFailures({ label: 'Response upload' }),
          endpoint.metricNotificationFailures({ label: 'Notification' }),
        ]),
      ],
      [
        graph('Instances: count (SampleCount of CPUUtilization)', [endpoint.metricInstanceCount()], {
          leftYAxis: { min: 0 },
        }),
        graph('Instances: GPU (%)', [
          endpoint.metricGpuUtilization({ label: 'GPU' }),
          endpoint.metricGpuMemoryUtilization({ label: 'GPU memory' }),
        ]),
        graph('Instances: CPU, memory, disk (%)', [
          endpoint.metricCpuUtilization({ label: 'CPU (sum over vCPUs)' }),
          endpoint.metricMemoryUtilization({ label: 'Memory' }),
          endpoint.metricDiskUtilization({ label: 'Disk' }),
        ]),
      ],
      ...(props.pipeline ? [this.pipelineWidgets(props.pipeline)] : []),
      [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
    ];
  }
}
