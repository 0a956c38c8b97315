import { MalformedMessageError, parseJson } from '../shared/sqs-batch';

/**
 * A SageMaker async inference notification. Success and error messages share this shape
 * (`invocationStatus` "Completed" or "Failed"); failures add `failureReason` and, with an
 * S3FailurePath, `failureLocation`.
 */
export interface InferenceNotification {
  readonly kind: 'result';
  readonly inferenceId: string;
  readonly succeeded: boolean;
  /** The endpoint that produced the result (`requestParameters.endpointName`). */
  readonly endpointName?: string;
  readonly eventTime?: string;
  readonly receivedTime?: string;
  readonly inputLocation?: string;
  readonly outputLocation?: string;
  readonly failureLocation?: string;
  readonly failureReason?: string;
  /** The response inlined by IncludeInferenceResponseIn, already decoded, if any. */
  readonly inlineResponse?: string;
}

/** Sent by CreateEndpoint/UpdateEndpoint to check the topics; carries no result. */
export interface TestNotification {
  readonly kind: 'test';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * ⚠ Where the inlined response sits is not in the AWS docs; public fixtures show
 * `responseBody: { content, message, encoding: "BASE64" }`. Anything else yields undefined and
 * the recorder reads the result from S3 instead, so a wrong guess costs an S3 read, not a result.
 */
export function inlineResponseOf(message: Record<string, unknown>): string | undefined {
  const body = message.responseBody as Record<string, unknown> | undefined;
  const content = str(body?.content);
  if (content === undefined) return undefined;
  return String(body?.encoding).toUpperCase() === 'BASE64' ? Buffer.from(content, 'base64').toString('utf8') : content;
}

/**
 * Parses an SQS message body from the result topics: the raw SageMaker message (raw message
 * delivery), or an SNS envelope around it. Anything else is malformed.
 */
export function parseNotification(body: string): InferenceNotification | TestNotification {
  let message = parseJson(body, 'message body') as Record<string, unknown>;
  if (message?.Type === 'Notification' && typeof message.Message === 'string') {
    message = parseJson(message.Message, 'SNS Message') as Record<string, unknown>;
  }
  if (typeof message !== 'object' || message === null) throw new MalformedMessageError('notification is not a JSON object');
  if (message.eventName === 'TestNotification') return { kind: 'test' };
  if (message.eventName !== 'InferenceResult') {
    throw new MalformedMessageError(`unexpected eventName ${JSON.stringify(message.eventName)}`);
  }
  const inferenceId = str(message.inferenceId);
  if (inferenceId === undefined) throw new MalformedMessageError('InferenceResult without inferenceId');
  const status = message.invocationStatus;
  if (status !== 'Completed' && status !== 'Failed') {
    throw new MalformedMessageError(`unexpected invocationStatus ${JSON.stringify(status)} for ${inferenceId}`);
  }
  const request = (message.requestParameters ?? {}) as Record<string, unknown>;
  const response = (message.responseParameters ?? {}) as Record<string, unknown>;
  return {
    kind: 'result',
    inferenceId,
    succeeded: status === 'Completed',
    eventTime: str(message.eventTime),
    receivedTime: str(message.receivedTime),
    endpointName: str(request.endpointName),
    inputLocation: str(request.inputLocation),
    outputLocation: str(response.outputLocation),
    failureLocation: str(message.failureLocation),
    failureReason: str(message.failureReason),
    inlineResponse: inlineResponseOf(message),
  };
}
