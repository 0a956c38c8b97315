import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { mapPoolFailFast } from '../../common/concurrency';
import { isNotFound } from '../../common/s3-errors';
import { parseS3Url } from '../../common/summary-record';
import { manifestKeyOf, parseStagedManifest, StagedManifest } from '../../common/staged-model';
import { handlerFiles } from '../shared/handler-archive';
import type { Logger } from '../shared/log';

/**
 * A custom resource that makes a staged model servable: it copies the files `summarizer
 * stage-model` staged (listed in its manifest) server-side into a new prefix, and adds this
 * app's handler as `code/inference.py`. SageMaker then reads that prefix (S3Prefix, no
 * compression) into /opt/ml/model. Copies stay inside S3: no gigabytes pass through the function.
 *
 * Why a copy and not the staged prefix itself: the model's data must hold `code/` (the toolkit
 * imports the handler from /opt/ml/model/code), and a new handler must make a new prefix, so a
 * rollback, or an instance started from the previous model during an update, never reads a
 * handler it was not deployed with.
 */
export interface StagedModelProperties {
  readonly SourceBucket: string;
  /** The staged prefix, ending in "/". */
  readonly SourcePrefix: string;
  readonly DestinationBucket: string;
  /** The servable copy's prefix, ending in "/" (derived from the source and the handler's hash). */
  readonly DestinationPrefix: string;
  /** s3://… of the handler archive (code/inference.py), the CDK asset. */
  readonly HandlerUrl: string;
  readonly ModelId: string;
  readonly ModelRevision: string;
  /** The data key: copies are written with SSE-KMS under it. */
  readonly KmsKeyArn: string;
  /** The command that stages the model, named when it is not staged. */
  readonly StageCommand: string;
  /** Server-side copies running at once. */
  readonly Concurrency?: string;
}

export interface StagedModelDeps {
  readonly s3: S3Client;
  readonly log: Logger;
  /** Objects larger than this are copied in parts (CopyObject takes at most 5 GB). @default 1 GiB */
  readonly multipartThreshold?: number;
  readonly partSize?: number;
}

const GiB = 1024 ** 3;
/** CopyObject copies "an object up to 5 GB in size in a single atomic action" (S3 API reference, CopyObject). */
export const MAX_SINGLE_COPY_BYTES = 5 * GiB;

async function readManifest(props: StagedModelProperties, s3: S3Client): Promise<StagedManifest> {
  const key = manifestKeyOf(props.SourcePrefix);
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: props.SourceBucket, Key: key }));
    text = await object.Body!.transformToString('utf8');
  } catch (e) {
    if (isNotFound(e)) {
      throw new Error(`${props.ModelId}@${props.ModelRevision} is not staged in s3://${props.SourceBucket}/${props.SourcePrefix} (no ${key}). Run: ${props.StageCommand}`);
    }
    throw e;
  }
  const manifest = parseStagedManifest(text, `s3://${props.SourceBucket}/${key}`);
  if (manifest.modelId !== props.ModelId || manifest.revision !== props.ModelRevision) {
    throw new Error(
      `s3://${props.SourceBucket}/${key} holds ${manifest.modelId}@${manifest.revision}, not the configured ${props.ModelId}@${props.ModelRevision}. Run: ${props.StageCommand}`,
    );
  }
  return manifest;
}

/** Every staged file is there with the size the manifest gives; a missing or changed one fails the deploy, naming it. */
async function checkStaged(props: StagedModelProperties, manifest: StagedManifest, deps: StagedModelDeps): Promise<void> {
  const problems: string[] = [];
  await mapPoolFailFast(manifest.files, 8, async (file) => {
    try {
      const head = await deps.s3.send(new HeadObjectCommand({ Bucket: props.SourceBucket, Key: props.SourcePrefix + file.path }));
      if (head.ContentLength !== file.size) problems.push(`${file.path} is ${head.ContentLength} bytes, the manifest says ${file.size}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      problems.push(`${file.path} is missing`);
    }
  });
  if (problems.length > 0) {
    throw new Error(`the staged copy in s3://${props.SourceBucket}/${props.SourcePrefix} is incomplete: ${problems.sort().join('; ')}. Run: ${props.StageCommand}`);
  }
}

async function copyObject(props: StagedModelProperties, path: string, size: number, deps: StagedModelDeps): Promise<void> {
  const source = { Bucket: props.DestinationBucket, Key: props.DestinationPrefix + path };
  const encryption = { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: props.KmsKeyArn, BucketKeyEnabled: true };
  const copySource = `${props.SourceBucket}/${encodeURIComponent(props.SourcePrefix + path).replace(/%2F/g, '/')}`;
  const threshold = Math.min(deps.multipartThreshold ?? GiB, MAX_SINGLE_COPY_BYTES);
  if (size <= threshold) {
    await deps.s3.send(new CopyObjectCommand({ ...source, CopySource: copySource, ...encryption }));
    return;
  }
  const partSize = deps.partSize ?? 512 * 1024 ** 2;
  const { UploadId } = await deps.s3.send(new CreateMultipartUploadCommand({ ...source, ...encryption }));
  const ranges = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => [i * partSize, Math.min(size, (i + 1) * partSize) - 1]);
  const parts = await mapPoolFailFast(ranges, 4, async ([first, last], i) => {
    const part = await deps.s3.send(
      new UploadPartCopyCommand({ ...source, UploadId, PartNumber: i + 1, CopySource: copySource, CopySourceRange: `bytes=${first}-${last}` }),
    );
    return { PartNumber: i + 1, ETag: part.CopyPartResult!.ETag };
  });
  await deps.s3.send(new CompleteMultipartUploadCommand({ ...source, UploadId, MultipartUpload: { Parts: parts } }));
}

/** Copies the staged files and adds the handler; returns how many files and bytes were copied. */
export async function makeServable(props: StagedModelProperties, deps: StagedModelDeps): Promise<{ files: number; bytes: number }> {
  const manifest = await readManifest(props, deps.s3);
  await checkStaged(props, manifest, deps);
  const handler = await handlerFiles(props.HandlerUrl, deps.s3);
  const weights = manifest.files.filter((f) => !f.path.startsWith('code/'));
  await mapPoolFailFast(weights, Number(props.Concurrency ?? 4), (file) => copyObject(props, file.path, file.size, deps));
  for (const [name, content] of handler) {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: props.DestinationBucket,
        Key: props.DestinationPrefix + name,
        Body: content,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: props.KmsKeyArn,
        BucketKeyEnabled: true,
      }),
    );
  }
  return { files: weights.length + handler.size, bytes: weights.reduce((sum, f) => sum + f.size, 0) };
}

/** Deletes every object under the prefix this resource made (and nothing else). */
export async function deleteServable(bucket: string, prefix: string, s3: S3Client): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length > 0) {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      if (result.Errors?.length) throw new Error(`could not delete ${result.Errors.map((e) => `${e.Key} (${e.Code})`).join(', ')}`);
      deleted += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

/** `s3://bucket/prefix/` (a prefix this resource made) or `s3://bucket/key` (an object), else undefined (a failed create's placeholder). */
const s3Location = (url: string, kind: 'prefix' | 'object') => {
  const location = parseS3Url(url);
  return location && location.key.endsWith('/') === (kind === 'prefix') ? location : undefined;
};

/**
 * The handler archive of a Hub model, copied from the CDK asset into this app's bucket, so no
 * instance launch reads the shared bootstrap bucket (whose writers, often CI, would otherwise
 * choose the code the container runs).
 */
export interface HandlerArchiveProperties {
  readonly Kind: 'handler-archive';
  readonly HandlerUrl: string;
  readonly DestinationBucket: string;
  readonly DestinationKey: string;
  readonly KmsKeyArn: string;
}

async function copyHandlerArchive(props: HandlerArchiveProperties, s3: S3Client): Promise<string> {
  const source = s3Location(props.HandlerUrl, 'object');
  if (!source) throw new Error(`not an S3 object URL: ${props.HandlerUrl}`);
  const { bucket, key } = source;
  await s3.send(
    new CopyObjectCommand({
      Bucket: props.DestinationBucket,
      Key: props.DestinationKey,
      CopySource: `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: props.KmsKeyArn,
      BucketKeyEnabled: true,
    }),
  );
  return `s3://${props.DestinationBucket}/${props.DestinationKey}`;
}

/** What CloudFormation is told. The physical id is the servable prefix's URL: a new source or handler replaces it. */
export async function handleEvent(event: CloudFormationCustomResourceEvent, deps: StagedModelDeps): Promise<CloudFormationCustomResourceResponse> {
  const base = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  if ((event.ResourceProperties as { Kind?: string }).Kind === 'handler-archive') {
    return handleArchiveEvent(event, event.ResourceProperties as unknown as HandlerArchiveProperties, deps, base);
  }
  const props = event.ResourceProperties as unknown as StagedModelProperties;
  const url = `s3://${props.DestinationBucket}/${props.DestinationPrefix}`;
  try {
    if (event.RequestType === 'Delete') {
      // Only a prefix this resource made; a failed create's placeholder id is not an S3 URL.
      const made = s3Location(event.PhysicalResourceId, 'prefix');
      const deleted = made ? await deleteServable(made.bucket, made.key, deps.s3) : 0;
      deps.log('info', 'servable model copy deleted', { prefix: event.PhysicalResourceId, deleted });
      return { ...base, Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId };
    }
    const { files, bytes } = await makeServable(props, deps);
    deps.log('info', 'staged model copied with the handler', { source: `s3://${props.SourceBucket}/${props.SourcePrefix}`, destination: url, files, bytes });
    return { ...base, Status: 'SUCCESS', PhysicalResourceId: url, Data: { ModelDataPrefixUrl: url } };
  } catch (e) {
    deps.log('error', 'making the staged model servable failed', { error: (e as Error).message });
    return {
      ...base,
      Status: 'FAILED',
      Reason: (e as Error).message.slice(0, 1000),
      PhysicalResourceId: event.RequestType === 'Create' ? `failed-${event.RequestId}` : event.PhysicalResourceId,
    };
  }
}

async function handleArchiveEvent(
  event: CloudFormationCustomResourceEvent,
  props: HandlerArchiveProperties,
  deps: StagedModelDeps,
  base: Pick<CloudFormationCustomResourceResponse, 'StackId' | 'RequestId' | 'LogicalResourceId'>,
): Promise<CloudFormationCustomResourceResponse> {
  try {
    if (event.RequestType === 'Delete') {
      const made = s3Location(event.PhysicalResourceId, 'object');
      if (made) await deps.s3.send(new DeleteObjectsCommand({ Bucket: made.bucket, Delete: { Objects: [{ Key: made.key }], Quiet: true } }));
      return { ...base, Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId };
    }
    const url = await copyHandlerArchive(props, deps.s3);
    deps.log('info', 'handler archive copied into the app bucket', { source: props.HandlerUrl, destination: url });
    return { ...base, Status: 'SUCCESS', PhysicalResourceId: url, Data: { Url: url } };
  } catch (e) {
    deps.log('error', 'copying the handler archive failed', { error: (e as Error).message });
    return { ...base, Status: 'FAILED', Reason: (e as Error).message.slice(0, 1000), PhysicalResourceId: event.RequestType === 'Create' ? `failed-${event.RequestId}` : event.PhysicalResourceId };
  }
}
