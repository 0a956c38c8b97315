import { PassThrough } from 'stream';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
export { sendResponse } from '../shared/cfn-response';
import * as tarStream from 'tar-stream';
import { parseS3Url } from '../../common/summary-record';
import { handlerFiles, readS3 as read } from '../shared/handler-archive';
import type { Logger } from '../shared/log';

/**
 * A custom resource that makes a model artifact carry this app's handler: it streams the
 * user's `model.tar.gz` (modelDataUrl) into a new archive with `code/inference.py` from the
 * handler asset in place of any the artifact had, gzip to gzip, in constant memory. The model is
 * then created from the new archive. (`AWS::SageMaker::Model` takes one model data source: it
 * has no AdditionalModelDataSources to attach the handler separately.)
 */
export interface RepackProperties {
  /** s3://… of the user's model.tar.gz. */
  readonly SourceUrl: string;
  /** s3://… of the handler archive (code/inference.py), the CDK asset. */
  readonly HandlerUrl: string;
  readonly DestinationBucket: string;
  readonly DestinationKey: string;
}

export interface RepackDeps {
  readonly s3: S3Client;
  readonly log: Logger;
}

const isCode = (name: string) => name === 'code' || name === 'code/' || name.startsWith('code/') || name.startsWith('./code/');

/**
 * Streams `source` (a gzipped tar) to `destination`: every entry but the artifact's own `code/`,
 * then the handler's files. Returns how many entries were copied and replaced.
 */
export async function repack(props: RepackProperties, deps: RepackDeps): Promise<{ copied: number; replaced: number }> {
  const handler = await handlerFiles(props.HandlerUrl, deps.s3);
  const extract = tarStream.extract();
  const pack = tarStream.pack();
  let copied = 0;
  let replaced = 0;
  extract.on('entry', (header, stream, next) => {
    if (isCode(header.name)) {
      replaced++;
      stream.on('end', next);
      stream.resume();
      return;
    }
    copied++;
    stream.pipe(pack.entry(header, next));
  });
  extract.on('finish', () => {
    pack.entry({ name: 'code/', type: 'directory', mode: 0o755 });
    for (const [name, content] of [...handler.entries()].sort()) pack.entry({ name, mode: 0o644 }, content);
    pack.finalize();
  });
  const out = new PassThrough();
  const upload = new Upload({
    client: deps.s3,
    params: { Bucket: props.DestinationBucket, Key: props.DestinationKey, Body: out, ContentType: 'application/gzip' },
    partSize: 64 * 1024 * 1024,
    queueSize: 2,
  });
  const uploaded = upload.done();
  // Weights barely compress: level 1 keeps a 2 GB artifact to about a minute.
  await Promise.all([
    pipeline(await read(props.SourceUrl, deps.s3), zlib.createGunzip(), extract),
    pipeline(pack, zlib.createGzip({ level: 1 }), out),
    uploaded,
  ]);
  return { copied, replaced };
}

/** What CloudFormation is told. The physical id is the new artifact's URL, so a new source or handler replaces it. */
export async function handleEvent(event: CloudFormationCustomResourceEvent, deps: RepackDeps): Promise<CloudFormationCustomResourceResponse> {
  const props = event.ResourceProperties as unknown as RepackProperties;
  const url = `s3://${props.DestinationBucket}/${props.DestinationKey}`;
  const base = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  try {
    if (event.RequestType === 'Delete') {
      const location = parseS3Url(event.PhysicalResourceId);
      // Only what this resource wrote; a failed create's placeholder id is not an S3 URL.
      if (location) await deps.s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }));
      return { ...base, Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId };
    }
    const { copied, replaced } = await repack(props, deps);
    deps.log('info', 'model artifact repacked with the handler', { source: props.SourceUrl, destination: url, copied, replaced });
    return { ...base, Status: 'SUCCESS', PhysicalResourceId: url, Data: { ModelDataUrl: url } };
  } catch (e) {
    deps.log('error', 'repacking the model artifact failed', { error: (e as Error).message });
    const physical = event.RequestType === 'Create' ? `failed-${event.RequestId}` : event.PhysicalResourceId;
    return {
      ...base,
      Status: 'FAILED',
      Reason: `Could not add the summarizer handler to ${props.SourceUrl}: ${(e as Error).message}`.slice(0, 1000),
      PhysicalResourceId: physical,
    };
  }
}
