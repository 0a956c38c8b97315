import { CopyObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { byteLimit, DEFAULT_EXTRACTION_LIMITS, DocumentFormat, extractDocument, needsExtraction, SNIFF_BYTES, sniffFormat, tooLarge } from '../../common/extract';
import { withRetry } from '../../common/retry';
import { PermanentSubmissionError, stagedKey, SubmissionKind } from '../../common/submission';
import type { InvokerDeps, ObjectCreated } from './handler';

/*
 * Staging: what SageMaker reads for an upload, under a key this app names (common/submission),
 * made from the exact version the upload event announced.
 */

/**
 * The key as the event carries it first, then its URL-decoded form: S3 event notifications
 * URL-encode keys (space as `+`), and a key that looks encoded may also be a literal name, so
 * both are tried rather than guessed.
 */
export function keyCandidates(key: string): string[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return [key];
  }
  return decoded === key ? [key] : [key, decoded];
}

const isMissing = (e: unknown) => ['NoSuchKey', 'NoSuchVersion', 'NotFound'].includes((e as Error)?.name) || (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;

/** What was staged for SageMaker, and what the record keeps about the document. */
export interface Staged {
  readonly key: string;
  readonly kind: SubmissionKind;
  readonly format?: DocumentFormat;
  readonly pages?: number;
  readonly extractedCharacters?: number;
  readonly title?: string;
  /** A trailing reference section kept out of what is summarized, and where its text was written. */
  readonly referencesExcludedCharacters?: number;
  readonly referencesLocation?: string;
}

/** `bucket/key?versionId=…`, URL-encoded as CopyObject's `CopySource` must be. */
const copySource = (bucket: string, key: string, versionId?: string) =>
  `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;

/** Runs `read` on each of the key's candidates (keyCandidates) until one exists. */
async function onEventKey<T>(object: ObjectCreated, read: (key: string) => Promise<T>): Promise<T> {
  const candidates = keyCandidates(object.key);
  for (const [i, key] of candidates.entries()) {
    try {
      return await read(key);
    } catch (e) {
      if (!(isMissing(e) && i < candidates.length - 1)) throw e;
    }
  }
  /* istanbul ignore next -- the loop returns or throws */
  throw new Error('unreachable');
}

/**
 * The exact version the event named: by version id, and the ETag it announced as a precondition
 * (on an unversioned bucket the only pin there is).
 */
const pinned = (object: ObjectCreated) => (object.versionId ? { VersionId: object.versionId, IfMatch: object.etag } : { IfMatch: object.etag });

const retry = (deps: InvokerDeps) => ({ attempts: 3, baseDelayMs: 200, sleep: deps.sleep });

/**
 * Stages what SageMaker reads under a key derived from the inference id, never reading more
 * than it must:
 * - a .json payload, or a document whose first bytes show UTF-8 text, is copied server-side
 *   (CopyObject of the exact version: constant memory, whatever the size);
 * - a PDF, HTML or Word document is read (that version), its text extracted (common/extract)
 *   and written under extracted/, with the source and what was extracted as object metadata;
 * - anything else fails permanently with what it is.
 */
export async function stageInput(object: ObjectCreated, kind: 'payload' | 'document', inferenceId: string, deps: InvokerDeps): Promise<Staged> {
  const { settings } = deps;
  if (kind === 'payload') return { key: await copyExactVersion(object, 'payload', inferenceId, deps), kind: 'payload' };

  const head = await onEventKey(object, async (key) => {
    const response = await withRetry(
      () => deps.s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: key, Range: `bytes=0-${SNIFF_BYTES - 1}`, ...pinned(object) })),
      retry(deps),
    );
    return response.Body!.transformToByteArray();
  });
  const sniffed = sniffFormat(head, object.key);
  if (!sniffed.ok) throw new PermanentSubmissionError(sniffed.reason);
  const { format } = sniffed;
  if (!needsExtraction(format)) {
    assertUtf8Start(head, object.size);
    return { key: await copyExactVersion(object, 'text', inferenceId, deps), kind: 'text', format };
  }

  const limits = deps.extractionLimits ?? DEFAULT_EXTRACTION_LIMITS;
  if (object.size > byteLimit(limits, format).bytes) throw new PermanentSubmissionError(tooLarge(format, object.size, limits));
  const bytes = await onEventKey(object, async (key) => {
    const response = await withRetry(() => deps.s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: key, ...pinned(object) })), retry(deps));
    return response.Body!.transformToByteArray();
  });
  const extraction = await extractDocument(bytes, format, limits);
  if (!extraction.ok) throw new PermanentSubmissionError(extraction.reason);
  const key = stagedKey(settings.extractedPrefix, inferenceId, 'text');
  // The reference list is kept, beside the text, but not summarized (common/extract/pdf-layout.ts).
  const referencesKey = extraction.references ? key.replace(/\.txt$/, '.references.txt') : undefined;
  if (referencesKey) {
    await withRetry(
      () =>
        deps.s3.send(
          new PutObjectCommand({
            Bucket: settings.bucket,
            Key: referencesKey,
            Body: extraction.references,
            ContentType: 'text/plain; charset=utf-8',
            Metadata: sourceMetadata(object, object.key, inferenceId),
          }),
        ),
      retry(deps),
    );
  }
  await withRetry(
    () =>
      deps.s3.send(
        new PutObjectCommand({
          Bucket: settings.bucket,
          Key: key,
          Body: extraction.text,
          ContentType: 'text/plain; charset=utf-8',
          // Object metadata travels in headers: free text is stored URL-encoded.
          Metadata: {
            ...sourceMetadata(object, object.key, inferenceId),
            format,
            characters: String(extraction.characters),
            ...(extraction.pages !== undefined ? { pages: String(extraction.pages) } : {}),
            ...(extraction.title ? { title: encodeURIComponent(extraction.title.slice(0, 300)) } : {}),
            ...(referencesKey ? { 'references-excluded': String(extraction.references!.length) } : {}),
          },
        }),
      ),
    retry(deps),
  );
  return {
    key,
    kind: 'text',
    format,
    pages: extraction.pages,
    extractedCharacters: extraction.characters,
    title: extraction.title,
    ...(referencesKey ? { referencesExcludedCharacters: extraction.references!.length, referencesLocation: `s3://${settings.bucket}/${referencesKey}` } : {}),
  };
}

/** A document whose first bytes are not UTF-8 would reach the model as mojibake: refuse it now. */
function assertUtf8Start(head: Uint8Array, size: number): void {
  // A multi-byte character may be cut at the end of the sniffed bytes: leave up to 3 bytes out.
  const checked = head.byteLength < size ? head.subarray(0, Math.max(0, head.byteLength - 3)) : head;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(checked);
  } catch {
    throw new PermanentSubmissionError('the document is not valid UTF-8 text (and not a PDF, HTML or Word document)');
  }
}

const sourceMetadata = (object: ObjectCreated, key: string, inferenceId: string) => ({
  'source-key': encodeURIComponent(key),
  ...(object.versionId ? { 'source-version-id': object.versionId } : {}),
  'source-etag': object.etag.replace(/"/g, ''),
  'inference-id': inferenceId,
});

/**
 * Copies the exact version the event named to `requests/<inferenceId>.<ext>`, server-side.
 * `CopySource` must be URL-encoded (S3 API reference, CopyObject: "The value must be
 * URL-encoded"), which is also what makes any user key header-safe here.
 */
async function copyExactVersion(object: ObjectCreated, kind: SubmissionKind, inferenceId: string, deps: InvokerDeps): Promise<string> {
  const { settings } = deps;
  const target = stagedKey(settings.requestsPrefix, inferenceId, kind);
  await onEventKey(object, (key) =>
    withRetry(
      () =>
        deps.s3.send(
          new CopyObjectCommand({
            Bucket: settings.bucket,
            Key: target,
            CopySource: copySource(object.bucket, key, object.versionId),
            // Pinned twice: the version id names the bytes, and the ETag must still be the one
            // the event announced (on an unversioned bucket it is the only pin there is).
            CopySourceIfMatch: object.etag,
            MetadataDirective: 'REPLACE',
            ContentType: kind === 'text' ? 'text/plain; charset=utf-8' : 'application/json',
            Metadata: sourceMetadata(object, key, inferenceId),
          }),
        ),
      retry(deps),
    ),
  );
  return target;
}

