import type { InvokeEndpointAsyncCommandInput } from '@aws-sdk/client-sagemaker-runtime';

/**
 * The one submission path for every document, shared by the pipeline's invoker and the CLI's
 * direct submit: SageMaker is always given an object this app named itself — a key derived
 * from the inference id under `requests/` — never the user's own key.
 *
 * Why: `InputLocation` travels in the HTTP header `X-Amzn-SageMaker-InputLocation`
 * (botocore `sagemaker-runtime/2017-05-13` InvokeEndpointAsync shape), and Node refuses any
 * header value outside visible ASCII before the request leaves the process
 * (`ERR_INVALID_CHAR`), so `input/Überblick.json` could never be submitted by reference. And a
 * copy of the exact version the upload event named is immutable: a later overwrite of the
 * user's key cannot change what is summarized.
 */

/** What SageMaker is given: UTF-8 text summarized as is, or a `{"inputs", "parameters"}` request. */
export type SubmissionKind = 'text' | 'payload';

/**
 * Content types the model handler (`model/code/inference.py`) accepts. Exactly these strings:
 * the HF toolkit decodes the body only for an exact `application/json` (no `; charset=`), and
 * passes `text/plain` to our `transform_fn` as raw bytes, which it decodes as strict UTF-8.
 */
export const CONTENT_TYPES: Readonly<Record<SubmissionKind, string>> = Object.freeze({
  text: 'text/plain',
  payload: 'application/json',
});

const EXTENSIONS: Readonly<Record<SubmissionKind, string>> = { text: 'txt', payload: 'json' };

/** `requests/<inferenceId>.txt|json`: header-safe, and unique per document version. */
export function stagedKey(requestsPrefix: string, inferenceId: string, kind: SubmissionKind): string {
  return `${requestsPrefix}${inferenceId}.${EXTENSIONS[kind]}`;
}

/** Visible US-ASCII and space: what an HTTP header value may carry. */
export function isHeaderSafe(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/** A submission that can never succeed however often it is retried. */
export class PermanentSubmissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentSubmissionError';
  }
}

export interface InvocationParameters {
  readonly endpointName: string;
  readonly bucket: string;
  readonly key: string;
  readonly kind: SubmissionKind;
  readonly inferenceId: string;
  readonly invocationTimeoutSeconds: number;
}

/** The InvokeEndpointAsync request for a staged object; refuses a location no header can carry. */
export function invocationRequest(p: InvocationParameters): InvokeEndpointAsyncCommandInput {
  const inputLocation = `s3://${p.bucket}/${p.key}`;
  if (!isHeaderSafe(inputLocation) || !isHeaderSafe(p.inferenceId)) {
    throw new PermanentSubmissionError(`input location ${JSON.stringify(inputLocation)} cannot travel in an HTTP header (visible ASCII only)`);
  }
  return {
    EndpointName: p.endpointName,
    InputLocation: inputLocation,
    ContentType: CONTENT_TYPES[p.kind],
    InferenceId: p.inferenceId,
    InvocationTimeoutSeconds: p.invocationTimeoutSeconds,
    RequestTTLSeconds: REQUEST_TTL_SECONDS,
  };
}

/**
 * How long a request may wait in the endpoint's queue before it expires: sent with every
 * request, so the sweeper knows when a request can no longer produce a result. 21600 s is the
 * maximum and SageMaker's default (botocore sagemaker-runtime 2017-05-13, InvokeEndpointAsync
 * `RequestTTLSeconds`: 60–21600, default 21600).
 */
export const REQUEST_TTL_SECONDS = 21_600;

/** The submission kind a staged request was sent as, from the content type it was sent with. */
export function kindOfContentType(contentType: string | undefined): SubmissionKind | undefined {
  return (Object.keys(CONTENT_TYPES) as SubmissionKind[]).find((kind) => CONTENT_TYPES[kind] === contentType);
}
