import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { sendResponse } from './cfn-response';

/** Leaves this long to tell CloudFormation, rather than letting the function time out silently. */
const RESPONSE_MARGIN_MS = 20_000;

/**
 * Runs a custom resource's work and always answers CloudFormation: with the work's response, or
 * FAILED with `timeoutReason` shortly before the function would time out (CloudFormation would
 * otherwise wait for an answer that never comes, for up to the resource's service timeout).
 */
export async function answerCustomResource(
  event: CloudFormationCustomResourceEvent,
  context: Context,
  work: () => Promise<CloudFormationCustomResourceResponse>,
  timeoutReason: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CloudFormationCustomResourceResponse>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          Status: 'FAILED',
          Reason: timeoutReason,
          PhysicalResourceId: event.RequestType === 'Create' ? `failed-${event.RequestId}` : event.PhysicalResourceId,
          StackId: event.StackId,
          RequestId: event.RequestId,
          LogicalResourceId: event.LogicalResourceId,
        }),
      Math.max(1000, context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS),
    );
    timer.unref();
  });
  try {
    await sendResponse(event.ResponseURL, await Promise.race([work(), timeout]));
  } finally {
    clearTimeout(timer);
  }
}
