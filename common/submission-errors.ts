import { PermanentSubmissionError } from './submission';

/**
 * Every error a submission can meet, sorted once: permanent ones are recorded FAILED with their
 * reason and acknowledged (retrying cannot help, and would only dead-letter the message);
 * transient ones are handed back to the queue, whose retries can still succeed.
 */
export interface ErrorClass {
  readonly permanent: boolean;
  /** What a researcher reads in the record. */
  readonly reason: string;
}

interface AwsLikeError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** S3 answers that stay the same however often the same request is sent. */
const PERMANENT_S3: Readonly<Record<string, string>> = {
  NoSuchKey: 'the uploaded object no longer exists (deleted before it could be submitted)',
  NoSuchVersion: 'the uploaded version no longer exists (deleted before it could be submitted)',
  NotFound: 'the uploaded object no longer exists (deleted before it could be submitted)',
  PreconditionFailed: 'the uploaded object changed before it could be submitted (ETag no longer matches)',
  EntityTooLarge: 'the object is larger than S3 can copy in one request',
  InvalidObjectState: 'the object is archived (e.g. in S3 Glacier) and cannot be read until it is restored',
  InvalidArgument: 'S3 refused the object name or request as invalid',
};

/**
 * SageMaker's ValidationError is permanent (the request itself is wrong) except while the
 * endpoint is missing or not ready, which a later retry can outlive (e.g. during a deploy).
 */
const ENDPOINT_NOT_READY = /endpoint .*(not found|does not exist|not in service|is (creating|updating))/i;

export function classifySubmissionError(error: unknown): ErrorClass {
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  const message = e.message ?? String(error);
  const status = e.$metadata?.httpStatusCode;

  if (error instanceof PermanentSubmissionError) return { permanent: true, reason: message };
  // Node's HTTP client refuses header values outside visible ASCII before sending anything.
  if (e.code === 'ERR_INVALID_CHAR' || /Invalid character in header content/.test(message)) {
    return { permanent: true, reason: `a request header cannot carry this value: ${message}` };
  }
  if (name in PERMANENT_S3) return { permanent: true, reason: `${PERMANENT_S3[name]} (${name})` };
  if (status === 404) return { permanent: true, reason: `the uploaded object no longer exists (${name || 'HTTP 404'})` };
  if (status === 412) return { permanent: true, reason: `the uploaded object changed before it could be submitted (${name || 'HTTP 412'})` };
  if (name === 'ValidationError' && !ENDPOINT_NOT_READY.test(message)) {
    return { permanent: true, reason: `SageMaker refused the request: ${message}` };
  }
  return { permanent: false, reason: `${name || 'Error'}: ${message}` };
}
