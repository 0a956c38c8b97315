import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { RecordOutcome, recordResult, ResultRecorderDeps, ResultSettings } from '../shared/record-result';
import { processBatch } from '../shared/sqs-batch';
import { parseNotification } from './notification';

export type { RecordOutcome } from '../shared/record-result';
export type RecorderSettings = ResultSettings & {
  /**
   * This stack's endpoints are named `<stack>-<instance type>`: a result from an endpoint not
   * named so did not come from this app, whoever published it, and is not recorded.
   */
  readonly endpointNamePrefix?: string;
};
export type RecorderDeps = ResultRecorderDeps & { readonly settings: RecorderSettings };

/**
 * Records one notification: a result (see recordResult), or SageMaker's test notification,
 * which carries none.
 */
export async function recordNotification(body: string, deps: RecorderDeps): Promise<RecordOutcome> {
  const notification = parseNotification(body);
  if (notification.kind === 'test') {
    deps.log('info', 'SageMaker test notification (sent when the endpoint is created or updated); nothing to record');
    return 'test-notification';
  }
  const prefix = deps.settings.endpointNamePrefix;
  if (prefix !== undefined && !notification.endpointName?.startsWith(prefix)) {
    deps.log('warn', 'a result from an endpoint that is not this app\'s was not recorded', { inferenceId: notification.inferenceId, endpointName: notification.endpointName ?? null, expectedPrefix: prefix });
    return 'foreign-endpoint';
  }
  return recordResult(notification, deps);
}

/** SQS batch handler for the results queue. */
export function handleResultBatch(event: SQSEvent, deps: RecorderDeps): Promise<SQSBatchResponse> {
  return processBatch(event, async (record) => {
    await recordNotification(record.body, deps);
  }, deps.log);
}
