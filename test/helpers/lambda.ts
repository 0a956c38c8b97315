import { Readable } from 'stream';
import { sdkStreamMixin } from '@smithy/util-stream';
import type { SQSEvent } from 'aws-lambda';

/** An S3 GetObject body as the SDK returns it. */
export function s3Body(content: string | Uint8Array) {
  return sdkStreamMixin(Readable.from([typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content)]));
}

export function sqsEvent(...bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i + 1}`,
      receiptHandle: `r${i + 1}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'sender',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
      awsRegion: 'us-east-1',
    })),
  };
}

/** An EventBridge "Object Created" event as S3 sends it. */
export function objectCreatedEvent(key: string, size = 1234, etag = 'd41d8cd98f00b204e9800998ecf8427e', bucket = 'docs-bucket'): string {
  return JSON.stringify({
    version: '0',
    id: 'e1',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2026-11-24T10:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key, size, etag, sequencer: '00' }, reason: 'PutObject' },
  });
}

/** SageMaker success notification (shape from the AWS async inference guide). */
export function successNotification(inferenceId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    awsRegion: 'us-east-1',
    eventTime: '2026-11-24T10:12:00.608Z',
    receivedTime: '2026-11-24T10:02:00.455Z',
    invocationStatus: 'Completed',
    requestParameters: {
      contentType: 'application/json',
      endpointName: 'ep',
      inputLocation: `s3://docs-bucket/requests/${inferenceId}.json`,
    },
    responseParameters: { contentType: 'application/json', outputLocation: `s3://docs-bucket/output/${inferenceId}.out` },
    inferenceId,
    eventVersion: '1.0',
    eventSource: 'aws:sagemaker',
    eventName: 'InferenceResult',
    ...extra,
  });
}

/** SageMaker error notification (shape from AWS-authored code; failureLocation with S3FailurePath). */
export function errorNotification(inferenceId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    awsRegion: 'us-east-1',
    eventTime: '2026-11-24T10:05:00.000Z',
    receivedTime: '2026-11-24T10:02:00.000Z',
    invocationStatus: 'Failed',
    failureReason: 'ClientError: Received client error (400) from model. See the SageMaker Endpoint logs in your account for more information.',
    failureLocation: `s3://docs-bucket/failure/${inferenceId}-error.out`,
    requestParameters: { endpointName: 'ep', inputLocation: 's3://docs-bucket/input/paper.json' },
    inferenceId,
    eventVersion: '1.0',
    eventSource: 'aws:sagemaker',
    eventName: 'InferenceResult',
    ...extra,
  });
}

export const noSleep = async () => undefined;
