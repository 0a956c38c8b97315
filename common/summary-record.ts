import type { SummaryDetails } from './payload';

/**
 * The summaries table: one item per submitted document (per inference id), designed for the
 * two questions a research team asks.
 *
 * - "What happened to this document?" → GSI `byDocument`: partition `sourceKey`, sort `submittedAt`.
 * - "What was summarized (or failed) on these days?" → GSI `byDay`: partition `day` (the UTC date
 *   of the latest status change), sort `statusAt` = `<STATUS>#<ISO time>`, so one query per day
 *   returns that day's records, and `begins_with(statusAt, "FAILED#")` narrows to one status.
 */
export const SUMMARY_TABLE = {
  partitionKey: 'inferenceId',
  byDocument: { indexName: 'byDocument', partitionKey: 'sourceKey', sortKey: 'submittedAt' },
  byDay: { indexName: 'byDay', partitionKey: 'day', sortKey: 'statusAt' },
  timeToLiveAttribute: 'expiresAt',
} as const;

/**
 * SUBMITTING: recorded, InvokeEndpointAsync not yet confirmed (a retry re-invokes);
 * PENDING: queued in SageMaker; COMPLETED / FAILED: final.
 */
export type SummaryStatus = 'SUBMITTING' | 'PENDING' | 'COMPLETED' | 'FAILED';

/** One item of the table; it carries what the model read (SummaryDetails, from the handler's report). */
export interface SummaryRecord extends SummaryDetails {
  readonly inferenceId: string;
  readonly status: SummaryStatus;
  readonly sourceBucket?: string;
  readonly sourceKey?: string;
  readonly sourceEtag?: string;
  /** The exact version of the upload that was submitted. */
  readonly sourceVersionId?: string;
  readonly sourceSize?: number;
  /** The object SageMaker read: an immutable copy of that version under requests/. */
  readonly inputLocation?: string;
  /** `text/plain` (the text itself) or `application/json` (a request payload). */
  readonly contentType?: string;
  /** What the upload was (text, markdown, pdf, html, docx), how many pages, how much text came out of it. */
  readonly format?: string;
  readonly pages?: number;
  readonly extractedCharacters?: number;
  readonly title?: string;
  /** A trailing References/Bibliography section left out of what was summarized: its length, and where its text is. */
  readonly referencesExcludedCharacters?: number;
  readonly referencesLocation?: string;
  /** Which delivery of the upload event claimed the record last. */
  readonly attempt?: number;
  /** The endpoint the request was sent to (an update may replace the endpoint; see the sweeper). */
  readonly endpointName?: string;
  /** How many times the request was sent to SageMaker; absent means once. */
  readonly submissions?: number;
  /** Set by the sweeper when it sent the request again, and why. */
  readonly resubmittedAt?: string;
  readonly resubmitReason?: string;
  /** "sweeper" when the result was read from S3 because its notification never arrived. */
  readonly recoveredBy?: string;
  /** With FAILED: true when a redrive or the sweeper may claim the record again. */
  readonly retryable?: boolean;
  readonly modelId?: string;
  /** The model's pinned Hub commit (or, with modelDataUrl, the artifact's S3 URL) the summary came from. */
  readonly modelRevision?: string;
  /** "pipeline" when the invoker submitted it; "outside-pipeline" for a result of a request the pipeline never saw (a direct CLI submission). */
  readonly submittedThrough?: 'pipeline' | 'outside-pipeline';
  readonly summary?: string;
  /** True when the summary was cut to fit the item size limit; the full text is at outputLocation. */
  readonly summaryTruncated?: boolean;
  readonly outputLocation?: string;
  readonly failureLocation?: string;
  readonly failureReason?: string;
  readonly submittedAt?: string;
  /** When SageMaker received the request. */
  readonly receivedAt?: string;
  readonly completedAt?: string;
  /** completedAt − receivedAt, in milliseconds: queueing plus processing inside SageMaker. */
  readonly processingMs?: number;
  readonly day: string;
  readonly statusAt: string;
  /** Epoch seconds; DynamoDB deletes the item after this (data retention). */
  readonly expiresAt?: number;
}

/** Summaries above this many characters are truncated in the table (items are limited to 400 KB). */
export const MAX_SUMMARY_CHARS = 100_000;

/** `day` and `statusAt` for a status reached at `at`. */
export function statusKeys(status: SummaryStatus, at: Date): { day: string; statusAt: string } {
  const iso = at.toISOString();
  return { day: iso.slice(0, 10), statusAt: `${status}#${iso}` };
}

/** Epoch seconds `retentionDays` after `from`, or undefined to keep forever (0). */
export function expiryEpochSeconds(from: Date, retentionDays: number): number | undefined {
  return retentionDays > 0 ? Math.floor(from.getTime() / 1000) + retentionDays * 86_400 : undefined;
}

/** Every UTC day from `from` to `to`, inclusive, as YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new Error(`dates must be YYYY-MM-DD; got "${from}" and "${to}"`);
  }
  if (end < start) throw new Error(`the range ends (${to}) before it starts (${from})`);
  const days: string[] = [];
  for (let d = start; d <= end; d = new Date(d.getTime() + 86_400_000)) days.push(d.toISOString().slice(0, 10));
  return days;
}

/** Splits `s3://bucket/key` into its parts. */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}
