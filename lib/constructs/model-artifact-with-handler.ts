import { createHash } from 'crypto';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcard } from '../nag';
import { decryptThroughS3, DOCUMENT_PREFIXES, DocumentStore } from './document-store';
import { handlerFunction, LogSettings } from './handler-function';
import { ModelHandlerCode } from './model-handler-code';

/** Streaming a few GB through gunzip, tar and gzip takes minutes; a Lambda function has 15. */
const REPACK_TIMEOUT = Duration.minutes(15);

export interface ModelArtifactWithHandlerProps {
  /** s3://bucket/key.tar.gz of the user's model artifact. */
  readonly sourceModelDataUrl: string;
  /**
   * The customer-managed key of the source object: the function may `kms:Decrypt` with it, only
   * through S3 in this region (`kms:ViaService`).
   *
   * @default - the source is not encrypted with a customer-managed key
   */
  readonly sourceKmsKeyArn?: string;
  /**
   * The account that must own the source bucket (`s3:ResourceAccount`).
   *
   * @default - this stack's account
   */
  readonly sourceBucketOwner?: string;
  readonly handlerCode: ModelHandlerCode;
  /** Where the repacked artifact is written, under `models/`. */
  readonly documents: DocumentStore;
  /** Where the repack function's log group goes. */
  readonly logs: LogSettings;
}

/**
 * The user's model artifact with this app's handler in it, made at deploy time: a custom
 * resource streams `modelDataUrl` into `models/<hash>/model.tar.gz` in the document bucket with
 * `code/inference.py` replacing any `code/` it had (lambda/repack). `AWS::SageMaker::Model`
 * takes a single model data source (no AdditionalModelDataSources in CloudFormation), so this is
 * how an artifact gets the handler without anyone repacking it by hand. The key is derived
 * from the source URL and the handler's asset hash: a new artifact URL or a changed handler
 * makes a new object (and a new model); an unchanged one is left alone.
 */
export class ModelArtifactWithHandler extends Construct {
  /** s3://… of the repacked artifact, for `ModelDataUrl`. */
  public readonly modelDataUrl: string;
  /** The repacked object's ARN, for the execution role. */
  public readonly objectArn: string;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ModelArtifactWithHandlerProps) {
    super(scope, id);
    const [, sourceBucket, sourceKey] = /^s3:\/\/([^/]+)\/(.+)$/.exec(props.sourceModelDataUrl)!;
    const asset = props.handlerCode.asset;
    const digest = createHash('sha256').update(`${props.sourceModelDataUrl}\n${asset.assetHash}`).digest('hex').slice(0, 32);
    const key = `${DOCUMENT_PREFIXES.models}${digest}/model.tar.gz`;
    const bucket = props.documents.bucket;

    const fn = handlerFunction(this, 'Repack', { handlerDir: 'repack', timeout: REPACK_TIMEOUT, memorySize: 1769, environment: {}, logs: props.logs });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadSourceArtifact',
        actions: ['s3:GetObject'],
        resources: [`arn:${bucket.stack.partition}:s3:::${sourceBucket}/${sourceKey}`],
        // The expected owner: a bucket of that name in another account is never read.
        conditions: { StringEquals: { 's3:ResourceAccount': props.sourceBucketOwner ?? Stack.of(this).account } },
      }),
    );
    if (props.sourceKmsKeyArn) {
      fn.addToRolePolicy(decryptThroughS3('DecryptSourceArtifact', props.sourceKmsKeyArn, Stack.of(this).region));
    }
    props.handlerCode.grantRead(fn);
    props.documents.grantWriteObjects(fn, 'models');
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'DeleteRepackedArtifact', actions: ['s3:DeleteObject'], resources: [props.documents.objectsArn('models')] }));

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::ModelArtifactWithHandler',
      // CloudFormation waits at most this long for the function's answer.
      serviceTimeout: REPACK_TIMEOUT.plus(Duration.minutes(5)),
      properties: {
        SourceUrl: props.sourceModelDataUrl,
        HandlerUrl: props.handlerCode.s3ObjectUrl,
        DestinationBucket: bucket.bucketName,
        DestinationKey: key,
      },
    });
    this.modelDataUrl = this.resource.getAttString('ModelDataUrl');
    this.objectArn = bucket.arnForObjects(key);

    const policy = fn.role!.node.findChild('DefaultPolicy').node.defaultChild!;
    acknowledgeWildcard(policy, { resource: props.documents.objectsArn('models') }, 'The repack function writes, and on stack updates deletes, the repacked artifacts it names; scoped to the models/ prefix.');
    acknowledgeWildcard(policy, { resource: '*' }, 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) does not support resource-level permissions.');
  }
}
