import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';

/**
 * Before a change that replaces the endpoint (a new instanceType), nothing queued on the old
 * one may be lost: `drain` pauses the pipeline (uploads wait in its ingest queue, which keeps
 * them 4 days) and waits until the endpoint's own queue is empty; `resume` lets the pipeline
 * submit again, to whichever endpoint the stack now has.
 */

/** Enables or disables the event source mappings that feed the invoker; returns their ids. */
export async function setPipelineEnabled(lambda: LambdaClient, functionName: string, enabled: boolean): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName, Marker: marker }));
    for (const mapping of page.EventSourceMappings ?? []) {
      if (!mapping.UUID) continue;
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: enabled }));
      ids.push(mapping.UUID);
    }
    marker = page.NextMarker;
  } while (marker);
  return ids;
}

export interface DrainSettings {
  readonly endpointName: string;
  readonly timeoutSeconds: number;
}

export interface DrainDeps {
  readonly cloudWatch: CloudWatchClient;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (backlog: number | undefined) => void;
}

export type DrainOutcome = { readonly drained: true } | { readonly drained: false; readonly backlog?: number };

/** Consecutive one-minute datapoints of ApproximateBacklogSize that must be 0. */
const EMPTY_MINUTES = 2;

/** The endpoint's latest one-minute ApproximateBacklogSize maxima, oldest first. */
async function recentBacklog(cloudWatch: CloudWatchClient, endpointName: string, nowMs: number): Promise<number[]> {
  const response = await cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(nowMs - 10 * 60_000),
      EndTime: new Date(nowMs),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        {
          Id: 'backlog',
          // Dimension EndpointName only (AWS async inference monitoring: the queue metrics carry no VariantName).
          MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ApproximateBacklogSize', Dimensions: [{ Name: 'EndpointName', Value: endpointName }] }, Period: 60, Stat: 'Maximum' },
        },
      ],
    }),
  );
  return response.MetricDataResults?.[0]?.Values ?? [];
}

/**
 * Waits until the endpoint has reported an empty queue for EMPTY_MINUTES minutes in a row, or
 * the deadline passes. Metrics arrive a minute or two late, so a backlog that just emptied is
 * seen a little after it happened, never before.
 */
export async function waitForEmptyBacklog(settings: DrainSettings, deps: DrainDeps): Promise<DrainOutcome> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + settings.timeoutSeconds * 1000;
  let last: number | undefined;
  for (;;) {
    const values = await recentBacklog(deps.cloudWatch, settings.endpointName, now());
    last = values.at(-1);
    deps.onProgress?.(last);
    if (values.length >= EMPTY_MINUTES && values.slice(-EMPTY_MINUTES).every((v) => v === 0)) return { drained: true };
    if (now() >= deadline) return { drained: false, ...(last !== undefined ? { backlog: last } : {}) };
    // The metric has one datapoint a minute: looking more often shows nothing new.
    await sleep(Math.min(60_000, Math.max(0, deadline - now())));
  }
}
