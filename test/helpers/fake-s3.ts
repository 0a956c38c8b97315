import { validateHeaderValue } from 'http';
import { CopyObjectCommandInput } from '@aws-sdk/client-s3';

interface Version {
  readonly versionId: string;
  readonly etag: string;
  readonly body: Buffer;
}

const s3Error = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

/**
 * A versioned bucket in memory, with CopyObject as S3 answers it: the copy source is read
 * URL-decoded with its `?versionId=`, `CopySourceIfMatch` is checked, and every value that
 * travels in a header is checked by Node's own header validation first (as the SDK's HTTP
 * client would), so a non-ASCII key fails here exactly as it fails in Lambda.
 */
export class FakeBucket {
  private readonly objects = new Map<string, Version[]>();
  private counter = 0;

  constructor(public readonly name = 'docs-bucket') {}

  /** Uploads a new version and returns its id and ETag. */
  put(key: string, body: string | Buffer, etag = `e${++this.counter}`): Version {
    const version = { versionId: `v${++this.counter}`, etag, body: Buffer.from(body) };
    this.objects.set(key, [...(this.objects.get(key) ?? []), version]);
    return version;
  }

  delete(key: string): void {
    this.objects.delete(key);
  }

  get(key: string): Buffer | undefined {
    return this.objects.get(key)?.at(-1)?.body;
  }

  copy(input: CopyObjectCommandInput): { CopyObjectResult: { ETag: string } } {
    for (const [name, value] of Object.entries({ 'x-amz-copy-source': input.CopySource, ...prefixed(input.Metadata) })) {
      validateHeaderValue(name, String(value));
    }
    const [path, query] = String(input.CopySource).split('?');
    const [bucket, ...rest] = path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const versionId = query ? new URLSearchParams(query).get('versionId') : undefined;
    const versions = bucket === this.name ? this.objects.get(key) : undefined;
    if (!versions) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
    const version = versionId ? versions.find((v) => v.versionId === versionId) : versions.at(-1);
    if (!version) throw s3Error('NoSuchVersion', 404, 'The specified version does not exist.');
    if (input.CopySourceIfMatch && input.CopySourceIfMatch.replace(/"/g, '') !== version.etag.replace(/"/g, '')) {
      throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
    }
    this.put(String(input.Key), version.body, version.etag);
    return { CopyObjectResult: { ETag: version.etag } };
  }
}

const prefixed = (metadata: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]));

/** Throws exactly what Node throws for a header value it refuses (ERR_INVALID_CHAR). */
export function checkHeaders(headers: Record<string, string | number | undefined>): void {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) validateHeaderValue(name, String(value));
}
