import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as tarStream from 'tar-stream';
import { parseS3Url } from '../../common/summary-record';

/** The body of the object at s3://bucket/key, as a stream. */
export async function readS3(url: string, s3: S3Client): Promise<Readable> {
  const location = parseS3Url(url);
  if (!location) throw new Error(`not an S3 URL: ${url}`);
  const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  return object.Body as Readable;
}

/**
 * The model handler's files, `code/<name>` → content: every file under code/ in the handler
 * archive the CDK asset holds (lib/constructs/model-handler-code.ts writes it).
 */
export async function handlerFiles(url: string, s3: S3Client): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file' && header.name.startsWith('code/')) files.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  await pipeline(await readS3(url, s3), zlib.createGunzip(), extract);
  if (files.size === 0) throw new Error(`the handler archive ${url} holds no code/ files`);
  return files;
}
