import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { manifestKeyOf, servablePrefix, stagedPrefix } from '../../common/staged-model';
import { acknowledgeWildcard } from '../nag';
import { decryptThroughS3, DocumentStore } from './document-store';
import { handlerFunction, LogSettings } from './handler-function';
import { ModelHandlerCode } from './model-handler-code';

/** Server-side copies of a few GB take a minute or two; a Lambda function has 15. */
const COPY_TIMEOUT = Duration.minutes(15);

export interface StagedModelWithHandlerProps {
  /** Bucket holding the staged copy (this app's, or the user's with an `s3://` modelSource). */
  readonly sourceBucketName: string;
  /** The staged prefix, ending in "/" (`models/<id>/<revision>/` in this app's bucket). */
  readonly sourcePrefix: string;
  readonly modelId: string;
  readonly modelRevision: string;
  /** The customer-managed key of a source in another bucket, if any. @default - none */
  readonly sourceKmsKeyArn?: string;
  /** The account that must own the source bucket (`s3:ResourceAccount`). @default - this stack's account */
  readonly sourceBucketOwner?: string;
  /** The command that stages this model, named in the deploy error when it is not staged. */
  readonly stageCommand: string;
  readonly handlerCode: ModelHandlerCode;
  /** Where the servable copy goes (under `models/`), encrypted with its key. */
  readonly documents: DocumentStore;
  readonly logs: LogSettings;
}

/**
 * A staged model made servable at deploy time: a custom resource (lambda/staged-model) copies
 * the staged files server-side into `models/<id>/<revision>-handler-<hash>/` and adds
 * `code/inference.py`. The deploy fails before the model is created, naming
 * `summarizer stage-model`, when the model is not (completely) staged. A new handler or a new
 * model makes a new prefix, and CloudFormation deletes the old one once the update succeeded.
 */
export class StagedModelWithHandler extends Construct {
  /** `s3://bucket/models/…/` of the servable copy, for `ModelDataSource` (S3Prefix). */
  public readonly modelDataPrefixUrl: string;
  /** The servable copy's key prefix in the app bucket. */
  public readonly prefix: string;
  public readonly resource: CustomResource;
  private readonly documents: DocumentStore;

  constructor(scope: Construct, id: string, props: StagedModelWithHandlerProps) {
    super(scope, id);
    this.documents = props.documents;
    const bucket = props.documents.bucket;
    // Always under models/<id>/<revision>: where the source is (this bucket or another) does not
    // move the copy out of models/, the only prefix the function may write.
    this.prefix = servablePrefix(stagedPrefix(props.modelId, props.modelRevision), props.handlerCode.asset.assetHash);
    const partition = Stack.of(this).partition;
    const owner = props.sourceBucketOwner ?? Stack.of(this).account;

    const fn = handlerFunction(this, 'Copy', { handlerDir: 'staged-model', timeout: COPY_TIMEOUT, memorySize: 512, environment: {}, logs: props.logs });
    const sourceObjects = `arn:${partition}:s3:::${props.sourceBucketName}/${props.sourcePrefix}*`;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadStagedModel',
        actions: ['s3:GetObject'],
        resources: [sourceObjects, `arn:${partition}:s3:::${props.sourceBucketName}/${manifestKeyOf(props.sourcePrefix)}`],
        conditions: { StringEquals: { 's3:ResourceAccount': owner } },
      }),
    );
    // Without s3:ListBucket, S3 answers 403 rather than 404 for a missing object (S3 User Guide,
    // "Required permissions for S3 API operations": HeadObject), and "not staged" could not be
    // told from "not allowed". The function only lists its own prefixes (ListObjectsV2 with Prefix).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListStagedModel',
        actions: ['s3:ListBucket'],
        resources: [`arn:${partition}:s3:::${props.sourceBucketName}`],
        conditions: { StringEquals: { 's3:ResourceAccount': owner } },
      }),
    );
    if (props.sourceKmsKeyArn) {
      fn.addToRolePolicy(decryptThroughS3('DecryptStagedModel', props.sourceKmsKeyArn, Stack.of(this).region));
    }
    props.documents.grantReadObjects(fn, 'models');
    props.documents.grantWriteObjects(fn, 'models');
    props.handlerCode.grantRead(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ListAndDeleteServableCopies', actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': 'models/*' } } }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'DeleteServableCopies', actions: ['s3:DeleteObject'], resources: [props.documents.objectsArn('models')] }));

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::StagedModelWithHandler',
      serviceTimeout: COPY_TIMEOUT.plus(Duration.minutes(5)),
      properties: {
        SourceBucket: props.sourceBucketName,
        SourcePrefix: props.sourcePrefix,
        DestinationBucket: bucket.bucketName,
        DestinationPrefix: this.prefix,
        HandlerUrl: props.handlerCode.s3ObjectUrl,
        ModelId: props.modelId,
        ModelRevision: props.modelRevision,
        KmsKeyArn: props.documents.encryptionKey.keyArn,
        StageCommand: props.stageCommand,
      },
    });
    // Spelled out rather than read back from the resource, so the template (and `cdk diff`) shows
    // which copy the model loads; users of it depend on the resource (`dependable`).
    this.modelDataPrefixUrl = `s3://${bucket.bucketName}/${this.prefix}`;

    const policy = fn.role!.node.findChild('DefaultPolicy').node.defaultChild!;
    acknowledgeWildcard(policy, { resource: sourceObjects }, 'The copy function reads the files stage-model staged, whose names come from the model repository; scoped to that one model revision.');
    acknowledgeWildcard(policy, { resource: props.documents.objectsArn('models') }, 'The copy function writes the servable copy and, after an update, deletes the copies it made before; scoped to the models/ prefix.');
    acknowledgeWildcard(policy, { resource: '*' }, 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) does not support resource-level permissions.');
  }

  /**
   * What SageMaker needs to load the copy: `s3:GetObject` under its prefix and `s3:ListBucket`
   * limited to it (an S3Prefix data source is listed), and decrypt with the bucket key.
   */
  public grantRead(grantee: iam.IGrantable): void {
    const bucket = this.documents.bucket;
    this.documents.encryptionKey.grant(grantee, 'kms:Decrypt');
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [bucket.arnForObjects(`${this.prefix}*`)] });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': `${this.prefix}*` } },
    });
  }

  /** The ARN pattern `grantRead` gives, for acknowledgements. */
  public get objectsArn(): string {
    return this.documents.bucket.arnForObjects(`${this.prefix}*`);
  }
}

export interface HandlerArchiveInAppBucketProps {
  readonly handlerCode: ModelHandlerCode;
  /** Where the archive goes (`models/handler/<hash>.tar.gz`), encrypted with its key. */
  readonly documents: DocumentStore;
  readonly logs: LogSettings;
}

/**
 * The handler archive of a Hub model, copied at deploy time from the CDK asset into this app's
 * bucket (`models/handler/<hash>.tar.gz`), so SageMaker reads the code the container runs from
 * the app's own bucket at every instance launch, never from the shared bootstrap bucket.
 */
export class HandlerArchiveInAppBucket extends Construct {
  /** `s3://bucket/models/handler/<hash>.tar.gz`, for `ModelDataSource` (S3Object, Gzip). */
  public readonly s3ObjectUrl: string;
  public readonly key: string;
  public readonly resource: CustomResource;
  private readonly documents: DocumentStore;

  constructor(scope: Construct, id: string, props: HandlerArchiveInAppBucketProps) {
    super(scope, id);
    this.documents = props.documents;
    const bucket = props.documents.bucket;
    this.key = `models/handler/${props.handlerCode.asset.assetHash.slice(0, 32)}.tar.gz`;
    const fn = handlerFunction(this, 'Copy', { handlerDir: 'staged-model', timeout: Duration.minutes(2), memorySize: 256, environment: {}, logs: props.logs });
    props.handlerCode.grantRead(fn);
    props.documents.grantPutObjects(fn, 'models');
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'DeleteReplacedArchive', actions: ['s3:DeleteObject'], resources: [props.documents.objectsArn('models')] }));
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::HandlerArchiveInAppBucket',
      serviceTimeout: Duration.minutes(5),
      properties: {
        Kind: 'handler-archive',
        HandlerUrl: props.handlerCode.s3ObjectUrl,
        DestinationBucket: bucket.bucketName,
        DestinationKey: this.key,
        KmsKeyArn: props.documents.encryptionKey.keyArn,
      },
    });
    this.s3ObjectUrl = `s3://${bucket.bucketName}/${this.key}`;
    const policy = fn.role!.node.findChild('DefaultPolicy').node.defaultChild!;
    acknowledgeWildcard(policy, { resource: props.documents.objectsArn('models') }, 'The copy function writes the handler archive and, after an update, deletes the one it replaced; scoped to the models/ prefix.');
    acknowledgeWildcard(policy, { resource: '*' }, 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) does not support resource-level permissions.');
  }

  /** `s3:GetObject` on this one object, and decrypt with the bucket key. */
  public grantRead(grantee: iam.IGrantable): void {
    this.documents.encryptionKey.grant(grantee, 'kms:Decrypt');
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.documents.bucket.arnForObjects(this.key)] });
  }
}
