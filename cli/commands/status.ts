import { ApplicationAutoScalingClient, DescribeScalingActivitiesCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CliError } from '../stack-outputs';

/** What `status` needs: the endpoint, and the stack whose alarms to list. */
export interface StatusTarget {
  readonly endpointName: string;
  readonly stackName: string;
}

export interface EndpointStatus {
  readonly endpointName: string;
  readonly status?: string;
  readonly failureReason?: string;
  readonly currentInstances?: number;
  readonly desiredInstances?: number;
  /** Latest and largest value of each queue metric over the window; undefined when no data. */
  readonly metrics: Record<string, { latest?: number; max?: number }>;
  readonly scalingActivities: Array<{ time?: string; status?: string; description?: string; cause?: string }>;
  readonly alarmsInAlarm: Array<{ name?: string; reason?: string; since?: string }>;
  readonly windowMinutes: number;
  /** The parts that could not be read, and why; the rest of the report still stands. */
  readonly unreadable: Record<string, string>;
}

export interface StatusDeps {
  readonly sagemaker: SageMakerClient;
  readonly cloudWatch: CloudWatchClient;
  readonly autoScaling: ApplicationAutoScalingClient;
  readonly now?: () => Date;
}

const QUEUE_METRICS = ['ApproximateBacklogSize', 'ApproximateBacklogSizePerInstance', 'ApproximateAgeOfOldestRequest', 'HasBacklogWithoutCapacity'];

/**
 * What the endpoint is doing now, why it last scaled, and what is alarming. Each part is read on
 * its own: one that fails (a missing permission, a throttled call) is reported as unreadable and
 * the others still are.
 */
export async function endpointStatus(resources: StatusTarget, windowMinutes: number, deps: StatusDeps): Promise<EndpointStatus> {
  const now = (deps.now ?? (() => new Date()))();
  const unreadable: Record<string, string> = {};
  const attempt = async <T>(part: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (e) {
      unreadable[part] = `${(e as Error).name}: ${(e as Error).message}`;
      return undefined;
    }
  };
  const endpoint = await attempt('endpoint', () => deps.sagemaker.send(new DescribeEndpointCommand({ EndpointName: resources.endpointName })));
  const variant = endpoint?.ProductionVariants?.[0];

  const data = await attempt('metrics', () => deps.cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - windowMinutes * 60_000),
      EndTime: now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: QUEUE_METRICS.map((metricName, i) => ({
        Id: `m${i}`,
        Label: metricName,
        MetricStat: {
          // Queue metrics carry only the EndpointName dimension.
          Metric: { Namespace: 'AWS/SageMaker', MetricName: metricName, Dimensions: [{ Name: 'EndpointName', Value: resources.endpointName }] },
          Period: 60,
          Stat: metricName === 'ApproximateAgeOfOldestRequest' ? 'Maximum' : 'Average',
        },
      })),
    }),
  ));
  const metrics: EndpointStatus['metrics'] = {};
  for (const [i, name] of QUEUE_METRICS.entries()) {
    const values = data?.MetricDataResults?.find((r) => r.Id === `m${i}`)?.Values ?? [];
    metrics[name] = { latest: values[0], max: values.length ? Math.max(...values) : undefined };
  }

  const activities = await attempt('scalingActivities', () => deps.autoScaling.send(
    new DescribeScalingActivitiesCommand({
      ServiceNamespace: 'sagemaker',
      ResourceId: `endpoint/${resources.endpointName}/variant/${variant?.VariantName ?? 'AllTraffic'}`,
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MaxResults: 10,
    }),
  ));
  const alarms = await attempt('alarms', () => deps.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: resources.stackName, StateValue: 'ALARM' })));

  return {
    endpointName: resources.endpointName,
    status: endpoint?.EndpointStatus,
    failureReason: endpoint?.FailureReason,
    currentInstances: variant?.CurrentInstanceCount,
    desiredInstances: variant?.DesiredInstanceCount,
    metrics,
    scalingActivities: (activities?.ScalingActivities ?? []).map((a) => ({
      time: a.StartTime?.toISOString(),
      status: a.StatusCode,
      description: a.Description,
      cause: a.Cause,
    })),
    alarmsInAlarm: (alarms?.MetricAlarms ?? []).map((a) => ({ name: a.AlarmName, reason: a.StateReason, since: a.StateUpdatedTimestamp?.toISOString() })),
    windowMinutes,
    unreadable,
  };
}

/** The human-readable report. */
export function formatStatus(s: EndpointStatus): string {
  const fmt = (v: number | undefined) => (v === undefined ? 'no data' : String(Math.round(v * 100) / 100));
  const failed = (part: string) => (s.unreadable[part] ? [`  UNREADABLE: ${s.unreadable[part]}`] : []);
  const lines = [
    `Endpoint   ${s.endpointName}: ${s.unreadable.endpoint ? `UNREADABLE (${s.unreadable.endpoint})` : `${s.status ?? 'unknown'}${s.failureReason ? ` (${s.failureReason})` : ''}`}`,
    `Instances  ${s.currentInstances ?? '?'} running, ${s.desiredInstances ?? '?'} desired`,
    `Queue (last ${s.windowMinutes} min: latest / max)`,
    ...failed('metrics'),
    ...(s.unreadable.metrics ? [] : Object.entries(s.metrics).map(([name, m]) => `  ${name.padEnd(36)} ${fmt(m.latest)} / ${fmt(m.max)}`)),
    'Recent scaling activities',
    ...failed('scalingActivities'),
    ...(s.scalingActivities.length
      ? s.scalingActivities.map((a) => `  ${a.time ?? ''} ${a.status ?? ''}: ${a.description ?? ''}${a.cause ? ` (cause: ${a.cause})` : ''}`)
      : s.unreadable.scalingActivities ? [] : ['  none']),
    'Alarms in ALARM',
    ...failed('alarms'),
    ...(s.alarmsInAlarm.length ? s.alarmsInAlarm.map((a) => `  ${a.name} since ${a.since}: ${a.reason}`) : s.unreadable.alarms ? [] : ['  none']),
  ];
  return `${lines.join('\n')}\n`;
}

/** Endpoint states in which InvokeEndpointAsync accepts requests. */
const ACCEPTING = ['InService', 'Updating', 'SystemUpdating', 'UpdateRollbackFailed'];

/**
 * Fails fast, before anything is uploaded or submitted, when the endpoint cannot take requests
 * (Creating, Failed, OutOfService, Deleting…). Zero instances is fine: the request waits in the
 * queue and the endpoint scales out.
 */
export async function requireAcceptingEndpoint(sagemaker: SageMakerClient, endpointName: string): Promise<void> {
  let endpoint;
  try {
    endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  } catch (e) {
    throw new CliError(`endpoint "${endpointName}" cannot be read (${(e as Error).name}: ${(e as Error).message}); nothing was submitted.`);
  }
  if (!ACCEPTING.includes(endpoint.EndpointStatus ?? '')) {
    throw new CliError(
      `endpoint "${endpointName}" is ${endpoint.EndpointStatus}${endpoint.FailureReason ? ` (${endpoint.FailureReason})` : ''}, not InService; nothing was submitted. See npx summarizer status.`,
    );
  }
}
