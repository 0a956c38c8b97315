import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from './log';

/**
 * Processes each message on its own and reports the ones that failed, so SQS redelivers only
 * those (and, after the queue's maxReceiveCount, moves them to the dead-letter queue). Nothing
 * is acknowledged unless it was processed.
 */
export async function processBatch(
  event: SQSEvent,
  processRecord: (record: SQSRecord) => Promise<void>,
  log: Logger,
): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await processRecord(record);
    } catch (error) {
      log('error', 'message failed; SQS will redeliver it, then move it to the dead-letter queue', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: (error as Error).message,
        errorName: (error as Error).name,
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

/** A message that can never be processed; it goes to the dead-letter queue for a person to read. */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

export function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch (e) {
    throw new MalformedMessageError(`${what} is not JSON: ${(e as Error).message}`);
  }
}
