import * as path from 'path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Upload } from '@aws-sdk/lib-storage';
import type { EndpointWaker } from '../../common/endpoint-waker';
import { inferenceIdForObject } from '../../common/inference-id';
import { CONTENT_TYPES, invocationRequest, stagedKey, SubmissionKind } from '../../common/submission';
import { withRetry } from '../../common/retry';
import { mapPool } from '../concurrency';
import { prepareDocument, type Unmatched } from '../documents';
import { checkLength, described, unmatchedEntries } from './preview';
import { Manifest, ManifestEntry, SubmissionMode } from '../manifest';
import { Progress, silentProgress } from '../progress';
import { isNotFound } from '../../common/s3-errors';
import { Resources } from '../resources';

export interface SubmitSettings {
  readonly resources: Resources;
  /** pipeline: upload under input/ and let the pipeline submit; direct: upload and call InvokeEndpointAsync. */
  readonly mode: SubmissionMode;
  /** Generation parameters for wrapped text (truncation stays on unless overridden). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly concurrency: number;
  /** A manifest from an earlier run of the same batch: its submitted entries are not sent again. */
  readonly previous?: Manifest;
  /** Refuse, rather than warn about, a document estimated to outlive the endpoint's invocation timeout. */
  readonly strict?: boolean;
}

export interface SubmitDeps {
  readonly s3: S3Client;
  readonly runtime: SageMakerRuntimeClient;
  readonly progress?: Progress;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told when a document is estimated to outlive the invocation timeout (and sent all the same). */
  readonly onWarning?: (file: string, message: string) => void;
  /** Told what each file is and what was extracted from it, before it is submitted. */
  readonly onPrepared?: (entry: ManifestEntry) => void;
  /** Direct mode: wakes the endpoint at zero after a submission, as the pipeline's invoker does (see `directWaker`). */
  readonly waker?: Pick<EndpointWaker, 'afterSubmit'>;
}

export { displayName, previewDocuments } from './preview';

/**
 * Where an upload goes. Content-addressed (`<sha256>.txt|json`, the same naming the pipeline
 * stages under: header-safe whatever the local file is called), so re-running a batch finds
 * its earlier uploads. In direct mode with the pipeline deployed, uploads go under requests/:
 * anything under input/ would also be submitted by the pipeline.
 */
export function payloadKey(mode: SubmissionMode, resources: Resources, contentId: string, kind: SubmissionKind = 'payload'): string {
  const prefix = mode === 'direct' && resources.hasPipeline ? 'requests/cli/' : 'input/cli/';
  return stagedKey(prefix, contentId, kind);
}


async function existingEtag(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * Uploads and submits every file, at most `concurrency` at a time. One file's failure never
 * stops the others; every file ends in the manifest with its outcome.
 */
export async function submitDocuments(files: readonly string[], unmatched: readonly Unmatched[], settings: SubmitSettings, deps: SubmitDeps): Promise<Manifest> {
  const { resources, mode } = settings;
  const progress = deps.progress ?? silentProgress;
  const now = deps.now ?? (() => new Date());
  // Earlier submissions by content (the key's sha256 name), whatever mode or prefix they used:
  // a re-run with other flags must not submit the same request twice.
  const previousByContent = new Map(
    (settings.previous?.entries ?? [])
      .filter((e) => e.key && e.inferenceId && (e.status === 'submitted' || e.status === 'already-submitted'))
      .map((e) => [path.posix.basename(e.key!), e]),
  );
  const retry = { attempts: 6, baseDelayMs: 250, sleep: deps.sleep };

  progress.start(files.length, 'Submitting');
  const entries = await mapPool(files, settings.concurrency, async (file): Promise<ManifestEntry> => {
    try {
      const prepared = checkLength(await prepareDocument(file, settings.parameters), {
        invocationTimeoutSeconds: resources.invocationTimeoutSeconds,
        strict: settings.strict ?? false,
        warn: (f, message) => deps.onWarning?.(f, message),
      });
      if (!prepared.ok) return { file, status: 'rejected', reason: prepared.reason };
      deps.onPrepared?.({ file, status: 'would-submit', ...described(prepared) });
      const key = payloadKey(mode, resources, prepared.contentId, prepared.kind);
      const earlier = previousByContent.get(path.posix.basename(key));
      if (earlier) {
        return { ...earlier, file, status: 'already-submitted', ...described(prepared) };
      }

      let etag = await withRetry(() => existingEtag(deps.s3, resources.bucket, key), retry);
      const alreadyUploaded = etag !== undefined;
      if (!alreadyUploaded) {
        const upload = new Upload({
          client: deps.s3,
          params: { Bucket: resources.bucket, Key: key, Body: prepared.body(), ContentType: CONTENT_TYPES[prepared.kind] },
          queueSize: 4,
          partSize: 64 * 1024 * 1024,
        });
        etag = (await upload.done()).ETag;
      }

      if (mode === 'pipeline') {
        // The pipeline derives the InferenceId from bucket, key and ETag; so can we.
        return {
          file,
          key,
          status: alreadyUploaded ? 'already-submitted' : 'submitted',
          ...described(prepared),
          inferenceId: inferenceIdForObject(resources.bucket, key, etag ?? ''),
          submittedAt: now().toISOString(),
        };
      }
      const response = await withRetry(
        () =>
          deps.runtime.send(
            new InvokeEndpointAsyncCommand(
              invocationRequest({
                endpointName: resources.endpointName,
                bucket: resources.bucket,
                key,
                kind: prepared.kind,
                inferenceId: prepared.contentId,
                invocationTimeoutSeconds: resources.invocationTimeoutSeconds,
              }),
            ),
          ),
        retry,
      );
      await deps.waker?.afterSubmit();
      return {
        file,
        key,
        status: 'submitted',
        ...described(prepared),
        inferenceId: response.InferenceId ?? prepared.contentId,
        outputLocation: response.OutputLocation,
        failureLocation: response.FailureLocation,
        submittedAt: now().toISOString(),
      };
    } catch (e) {
      return { file, status: 'failed', reason: `${(e as Error).name}: ${(e as Error).message}` };
    } finally {
      progress.increment();
    }
  });
  progress.stop();

  return {
    version: 1,
    stackName: resources.stackName,
    bucket: resources.bucket,
    endpointName: resources.endpointName,
    mode,
    tableName: resources.tableName,
    entries: [...unmatchedEntries(unmatched), ...entries],
  };
}

/** Relative path for display. */
