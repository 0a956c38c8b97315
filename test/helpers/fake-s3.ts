import { validateHeaderValue } from 'http';
import { CopyObjectCommandInput, GetObjectCommandInput, PutObjectCommandInput } from '@aws-sdk/client-s3';
import { s3Body } from './lambda';

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

  /** Metadata of the objects written with PutObject or CopyObject, by key. */
  public readonly metadata = new Map<string, Record<string, string>>();

  private version(key: string, versionId?: string | null): Version {
    const versions = this.objects.get(key);
    if (!versions) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
    const version = versionId ? versions.find((v) => v.versionId === versionId) : versions.at(-1);
    if (!version) throw s3Error('NoSuchVersion', 404, 'The specified version does not exist.');
    return version;
  }

  /** HeadObject as S3 answers it: 404 `NotFound` (no body, so no NoSuchKey) for a missing key. */
  headObject(input: { Key?: string }) {
    const version = this.objects.get(String(input.Key))?.at(-1);
    if (!version) throw s3Error('NotFound', 404, 'Not Found');
    return { ETag: version.etag, VersionId: version.versionId, ContentLength: version.body.length, LastModified: this.lastModified };
  }

  /** What HeadObject reports as LastModified. */
  public lastModified = new Date('2026-11-24T03:00:00.000Z');

  /** GetObject with VersionId, IfMatch and a `bytes=a-b` Range, as S3 answers it. */
  getObject(input: GetObjectCommandInput) {
    const version = this.version(String(input.Key), input.VersionId);
    if (input.IfMatch && input.IfMatch.replace(/"/g, '') !== version.etag.replace(/"/g, '')) {
      throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
    }
    const range = input.Range ? /^bytes=(\d+)-(\d+)$/.exec(input.Range) : null;
    const body = range ? version.body.subarray(Number(range[1]), Number(range[2]) + 1) : version.body;
    return { Body: s3Body(body) as never, ETag: version.etag, VersionId: version.versionId };
  }

  putObject(input: PutObjectCommandInput) {
    for (const [name, value] of Object.entries(prefixed(input.Metadata))) validateHeaderValue(name, String(value));
    const version = this.put(String(input.Key), Buffer.from(input.Body as string | Uint8Array));
    this.metadata.set(String(input.Key), { ...(input.Metadata ?? {}) });
    return { ETag: version.etag, VersionId: version.versionId };
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
    this.metadata.set(String(input.Key), { ...(input.Metadata ?? {}) });
    return { CopyObjectResult: { ETag: version.etag } };
  }
}

const prefixed = (metadata: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]));

/** Throws exactly what Node throws for a header value it refuses (ERR_INVALID_CHAR). */
export function checkHeaders(headers: Record<string, string | number | undefined>): void {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) validateHeaderValue(name, String(value));
}
