/**
 * The custom metric the invoker's sweeper emits in CloudWatch embedded metric format (a log
 * line, so no cloudwatch:PutMetricData permission), and that the StuckSubmissions alarm reads.
 */
export const STUCK_METRIC = { namespace: 'PegasusSummarizer/Pipeline', metricName: 'StuckSubmissions', dimension: 'TableName' } as const;
