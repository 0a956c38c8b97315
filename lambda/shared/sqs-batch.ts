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
  budget?: BatchBudget,
): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const [i, record] of event.Records.entries()) {
    const remainingMs = budget?.remainingMs();
    if (budget && i > 0 && remainingMs! < budget.perMessageMs && !budget.mustProcess?.(record)) {
      // Not started: handed back untouched, so the function never times out with the whole
      // batch (and its claimed records) in flight. SQS delivers it again after the visibility timeout.
      log('warn', 'not enough time left for another message; handing it back to the queue', {
        messageId: record.messageId,
        remainingMs,
        perMessageMs: budget.perMessageMs,
      });
      failures.push({ itemIdentifier: record.messageId });
      continue;
    }
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

/**
 * Bounds the work of one invocation: a message after the first is started only while at least
 * `perMessageMs` are left (the most one message can take), unless `mustProcess` says it has to be
 * (its last delivery: handed back, it would go to the dead-letter queue untried).
 */
export interface BatchBudget {
  /** Milliseconds left in this invocation (Lambda's `context.getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  readonly perMessageMs: number;
  readonly mustProcess?: (record: SQSRecord) => boolean;
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
