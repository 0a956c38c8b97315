import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNist } from '../nag';

/**
 * Where documents go in, where SageMaker writes results and failures, and where the ingestion
 * pipeline stages what SageMaker reads: immutable copies of uploads (`requests/`) and the text
 * extracted from PDF, HTML and Word documents (`extracted/`), both outside `input/`, so writing
 * them does not trigger the pipeline again.
 */
export const DOCUMENT_PREFIXES = {
  input: 'input/',
  output: 'output/',
  failure: 'failure/',
  requests: 'requests/',
  extracted: 'extracted/',
  /** Model artifacts repacked with the handler (modelDataUrl): what new instances start from. */
  models: 'models/',
} as const;
export type DocumentPrefix = keyof typeof DOCUMENT_PREFIXES;

/** Never expired by the retention period: an instance starting a year from now still needs its model. */
const KEPT_PREFIXES: readonly DocumentPrefix[] = ['models'];

/** Non-current object versions are kept this long, so an overwrite or delete can be undone. */
export const NONCURRENT_VERSION_RETENTION_DAYS = 30;

export interface DocumentStoreProps {
  /** Key for SSE-KMS on the document bucket. */
  readonly encryptionKey: kms.IKey;
  /**
   * Days before objects under each prefix expire; 0 keeps them forever.
   *
   * @default 0
   */
  readonly retentionDays?: number;
  /**
   * Days before server access logs expire.
   *
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * What `cdk destroy` does with the buckets. DESTROY also empties them first.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One bucket for the whole document lifecycle: `input/` (articles to summarize), `output/`
 * (summaries) and `failure/` (error reports). One bucket with prefixes rather than three
 * buckets: SageMaker's async output and failure paths are plain S3 URLs, IAM scopes cleanly
 * by prefix, lifecycle rules filter by prefix, and users have one name to remember.
 *
 * The bucket is SSE-KMS with our key (bucket keys on, to keep KMS request costs down),
 * TLS-only, private, versioned, and logs access to a separate log bucket.
 */
export class DocumentStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: DocumentStoreProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;
    this.encryptionKey = props.encryptionKey;

    // Server access logging cannot deliver to SSE-KMS buckets, so the log bucket uses SSE-S3.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: Duration.days(props.accessLogRetentionDays ?? 365),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket; logging its own access would log into itself without end.',
    });
    acknowledgeNist(this.accessLogBucket, 'S3DefaultEncryptionKMS', 'S3 server access logs can be delivered only to a bucket with SSE-S3 default encryption, not SSE-KMS (S3 User Guide, "Enabling Amazon S3 server access logging"); the logs hold request metadata, no document content.');

    const retentionDays = props.retentionDays ?? 0;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_RETENTION_DAYS),
          expiredObjectDeleteMarker: true,
        },
        ...(retentionDays > 0
          ? Object.entries(DOCUMENT_PREFIXES)
              .filter(([name]) => !KEPT_PREFIXES.includes(name as DocumentPrefix))
              .map(([name, prefix]) => ({
              id: `Expire${name[0].toUpperCase()}${name.slice(1)}`,
              prefix,
              expiration: Duration.days(retentionDays),
            }))
          : []),
      ],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    this.requireDataKeyOnWrites();
    for (const bucket of [this.bucket, this.accessLogBucket]) {
      acknowledgeNist(
        bucket,
        'S3BucketReplicationEnabled',
        'Cross-region replication copies documents and summaries to another region, which data-residency rules often forbid, and doubles their storage; it is the account\'s disaster-recovery decision. The bucket is versioned (30 days of non-current versions) and retained when the stack is deleted.',
      );
    }
  }

  /**
   * Every write keeps the data key: a request may leave encryption to the bucket default (SSE-KMS
   * with the data key), or name SSE-KMS with that key, and nothing else. SSE-S3, another KMS key
   * (one in another account included) and SSE-C are refused. `s3:PutObject` also governs
   * CopyObject and CreateMultipartUpload, whose encryption headers these keys see (S3 User Guide,
   * "Requiring server-side encryption" and "Amazon S3 condition key examples"). The key is named
   * by ARN and by id: S3 compares the header as sent.
   */
  private requireDataKeyOnWrites(): void {
    const deny = (sid: string, conditions: Record<string, Record<string, unknown>>) =>
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')], conditions }),
      );
    deny('DenyEncryptionOtherThanKms', { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } });
    deny('DenyOtherKmsKeys', { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': [this.encryptionKey.keyArn, this.encryptionKey.keyId] } });
    deny('DenyCustomerProvidedKeys', { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } });
  }

  /**
   * Sends S3 events for this bucket to EventBridge. Set on the bucket resource itself rather
   * than through the CDK's notifications custom resource: no Lambda, no extra IAM role, and no
   * destination permissions for S3 to check.
   */
  public enableEventBridgeNotifications(): void {
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  }

  /** `s3://bucket/prefix/` for one of the document prefixes. */
  public s3Url(prefix: DocumentPrefix): string {
    return `s3://${this.bucket.bucketName}/${DOCUMENT_PREFIXES[prefix]}`;
  }

  /** ARN pattern of every object under one prefix. */
  public objectsArn(prefix: DocumentPrefix): string {
    return this.bucket.arnForObjects(`${DOCUMENT_PREFIXES[prefix]}*`);
  }

  /** `s3:GetObject` under the given prefixes, and decrypt with the bucket key. */
  public grantReadObjects(grantee: iam.IGrantable, ...prefixes: DocumentPrefix[]): iam.Grant {
    this.encryptionKey.grant(grantee, 'kms:Decrypt');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: prefixes.map((p) => this.objectsArn(p)),
    });
  }

  /**
   * What a server-side copy of an exact object version needs on its source prefix:
   * `s3:GetObject` and `s3:GetObjectVersion` (CopyObject with `?versionId=`), decrypt with the
   * bucket key, and `s3:ListBucket` on the bucket, without which S3 answers 403 rather than
   * 404 for a deleted object (S3 User Guide, "Required permissions for S3 API operations":
   * GetObject), so a deleted upload could not be told from a permission problem.
   */
  public grantCopySource(grantee: iam.IGrantable, prefix: DocumentPrefix): iam.Grant {
    this.encryptionKey.grant(grantee, 'kms:Decrypt');
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn] });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resourceArns: [this.objectsArn(prefix)],
    });
  }

  /**
   * `s3:PutObject` (and aborting multipart uploads, which large payloads use) under the given
   * prefixes, and the key actions SSE-KMS uploads need.
   */
  public grantWriteObjects(grantee: iam.IGrantable, ...prefixes: DocumentPrefix[]): iam.Grant {
    return this.grantWrite(grantee, prefixes, true);
  }

  /** `s3:PutObject` only, for a writer that never uploads in parts (single PutObject and CopyObject calls). */
  public grantPutObjects(grantee: iam.IGrantable, ...prefixes: DocumentPrefix[]): iam.Grant {
    return this.grantWrite(grantee, prefixes, false);
  }

  private grantWrite(grantee: iam.IGrantable, prefixes: DocumentPrefix[], multipart: boolean): iam.Grant {
    this.encryptionKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: multipart ? ['s3:PutObject', 's3:AbortMultipartUpload'] : ['s3:PutObject'],
      resourceArns: prefixes.map((p) => this.objectsArn(p)),
    });
  }
}

/**
 * `kms:Decrypt` with a customer-managed key of a bucket outside the app (a model artifact or a
 * staged model of the user's), only through S3 in `region` (`kms:ViaService`).
 */
export function decryptThroughS3(sid: string, keyArn: string, region: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions: ['kms:Decrypt'], resources: [keyArn], conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } } });
}
