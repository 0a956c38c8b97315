import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { RecordOutcome, recordResult, ResultRecorderDeps, ResultSettings } from '../shared/record-result';
import { processBatch } from '../shared/sqs-batch';
import { parseNotification } from './notification';

export type { RecordOutcome } from '../shared/record-result';
export type RecorderSettings = ResultSettings;
export type RecorderDeps = ResultRecorderDeps;

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
  return recordResult(notification, deps);
}

/** SQS batch handler for the results queue. */
export function handleResultBatch(event: SQSEvent, deps: RecorderDeps): Promise<SQSBatchResponse> {
  return processBatch(event, async (record) => {
    await recordNotification(record.body, deps);
  }, deps.log);
}
