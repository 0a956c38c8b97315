import { createHash } from 'crypto';

/**
 * A stable InferenceId for one version of one object: the same upload event delivered twice
 * (S3 and EventBridge deliver at least once) maps to the same id, so it is submitted once; a
 * new upload to the same key has a new ETag and is a new document. 64 hex characters, the
 * maximum length SageMaker accepts.
 */
export function inferenceIdForObject(bucket: string, key: string, etag: string): string {
  return createHash('sha256').update(`s3://${bucket}/${key}#${etag.replace(/"/g, '')}`).digest('hex');
}
