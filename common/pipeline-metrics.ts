/**
 * The custom metrics the invoker's sweeper emits in CloudWatch embedded metric format (a log
 * line, so no cloudwatch:PutMetricData permission), and that the StuckSubmissions and
 * PendingWithoutResult alarms read.
 */
export const STUCK_METRIC = { namespace: 'PegasusSummarizer/Pipeline', metricName: 'StuckSubmissions', dimension: 'TableName' } as const;

/** Records PENDING whose result never reached the table, that a sweep recovered, resubmitted or failed. */
export const PENDING_METRIC = { namespace: STUCK_METRIC.namespace, metricName: 'PendingWithoutResult', dimension: STUCK_METRIC.dimension } as const;
