import { S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { jsonLogger } from '../shared/log';
import { handleEvent, sendResponse } from './handler';

const s3 = new S3Client({});

/** Leaves this long to tell CloudFormation, rather than letting the function time out silently. */
const RESPONSE_MARGIN_MS = 20_000;

export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  const timeout = new Promise<Awaited<ReturnType<typeof handleEvent>>>((resolve) =>
    setTimeout(
      () =>
        resolve({
          Status: 'FAILED',
          Reason: 'repacking the model artifact did not finish within the function timeout (15 minutes): is the artifact larger than a few GB?',
          PhysicalResourceId: event.RequestType === 'Create' ? `failed-${event.RequestId}` : event.PhysicalResourceId,
          StackId: event.StackId,
          RequestId: event.RequestId,
          LogicalResourceId: event.LogicalResourceId,
        }),
      Math.max(1000, context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS),
    ).unref(),
  );
  const response = await Promise.race([handleEvent(event, { s3, log: jsonLogger }), timeout]);
  await sendResponse(event.ResponseURL, response);
}
