import { Annotations, Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeNist, acknowledgeWildcard, OWN_POLICY_REASON } from '../nag';
import { DOCUMENT_PREFIXES, DocumentPrefix, DocumentStore } from './document-store';
import { resolveInferenceImage } from './inference-image';
import { LogSettings } from './handler-function';
import { ModelArtifactWithHandler } from './model-artifact-with-handler';
import { ModelHandlerCode } from './model-handler-code';
import { HandlerArchiveInAppBucket, StagedModelWithHandler } from './staged-model-with-handler';

/**
 * Request and response size limit for the model server, in bytes. The HF inference image runs
 * Multi Model Server, whose default (6,553,500 bytes) is far below the 1 GB async payload
 * limit; AWS documents 2,000,000,000 for the HF container.
 */
export const MODEL_SERVER_MAX_PAYLOAD_BYTES = 2_000_000_000;

/**
 * ⚠ The CloudWatch namespaces SageMaker publishes an endpoint's instance metrics in with the
 * execution role (`/aws/sagemaker/Endpoints`: CPU, memory, GPU and disk utilization, per the
 * SageMaker Developer Guide's metrics list). Not confirmed that these are the only ones the
 * hosting agent uses; a missing one loses instance metrics, never requests.
 */
export const MODEL_METRIC_NAMESPACES = ['/aws/sagemaker/Endpoints', '/aws/sagemaker/Endpoints/*'] as const;

/** The services through which the execution role uses the data key: S3 (requests, results), SNS (notifications), SageMaker and EC2 (⚠ an ML volume encrypted with the key; AWS does not say which service calls KMS for it). */
const KEY_SERVICES = ['s3', 'sns', 'sagemaker', 'ec2'];

/** Pipelines removed in transformers 5 (huggingface/transformers#43256). */
const PIPELINES_REMOVED_IN_TRANSFORMERS_5 = ['summarization', 'text2text-generation', 'translation'];

export interface SummarizationModelProps {
  /** Where documents are read from and results written to. */
  readonly documents: DocumentStore;
  /** Topics SageMaker publishes success and error notifications to. */
  readonly notificationTopics: readonly sns.ITopic[];
  /** Hugging Face Hub model id (`HF_MODEL_ID`). */
  readonly modelId: string;
  /**
   * Pipeline task (`HF_TASK`).
   *
   * @default 'summarization'
   */
  readonly hfTask?: string;
  /**
   * Hub revision to pin (`HF_MODEL_REVISION`).
   *
   * @default - the Hub's default branch
   */
  readonly modelRevision?: string;
  /**
   * S3 URL of a model.tar.gz to serve instead of downloading from the Hub. The container then
   * runs with network isolation.
   *
   * @default - download `modelId` from the Hub when the container starts
   */
  readonly modelDataUrl?: string;
  /**
   * The customer-managed KMS key that encrypts the modelDataUrl object, if any.
   *
   * @default - the artifact is not encrypted with a customer-managed key
   */
  readonly modelDataKmsKeyArn?: string;
  /** The account that owns the modelDataUrl bucket. @default - this stack's account */
  readonly modelDataBucketOwner?: string;
  /**
   * A staged copy of `modelId`@`modelRevision` to serve instead of downloading it from the Hub
   * (`summarizer stage-model`): the bucket and prefix it was staged to. The container then runs
   * with no `HF_MODEL_ID`.
   *
   * @default - download `modelId` from the Hub when the container starts
   */
  readonly stagedModel?: StagedModelSource;
  /**
   * Run the container with `EnableNetworkIsolation`. A Hub model cannot: it downloads its weights.
   *
   * @default - on for a staged model or modelDataUrl, off for a Hub model
   */
  readonly networkIsolation?: boolean;
  /**
   * Place the model's instances in these subnets of your VPC, with these security groups.
   *
   * @default - SageMaker's own network
   */
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  /** Image tag of the HF PyTorch inference DLC, or a full ECR image URI. */
  readonly image: string;
  /**
   * The DLC image's digest: the model runs exactly that image.
   *
   * @default - the image the tag names at each instance start
   */
  readonly imageDigest?: string;
  /**
   * Longest a request may run; the model server's response timeout is set to it (in seconds,
   * through the `*_SECONDS` variables: the older ones are read as minutes).
   */
  readonly invocationTimeoutSeconds: number;
  /**
   * How the handler (`model/code/inference.py`) treats documents longer than one window.
   *
   * @default - map-reduce with the model's own window, 64 tokens of overlap, batches of 8, at most 4 rounds
   */
  readonly longDocuments?: LongDocumentSettings;
  /**
   * Model-server worker processes per instance (`SAGEMAKER_MODEL_SERVER_WORKERS`); each loads
   * the model, and each works on one request at a time.
   * @default - the container's default: one per GPU, whatever the endpoint's concurrency
   */
  readonly modelServerWorkers?: number;
  /** Where log groups of functions the model needs (the modelDataUrl repack) go. */
  readonly logs: LogSettings;
}

/** Where a staged model is: `s3://<bucketName>/<prefix>`, and the command that stages it there. */
export interface StagedModelSource {
  readonly bucketName: string;
  /** Ends in "/". */
  readonly prefix: string;
  readonly stageCommand: string;
  /** The customer-managed key of a bucket other than the app's, if any. @default - none */
  readonly kmsKeyArn?: string;
  /** The account that owns that bucket. @default - this stack's account */
  readonly bucketOwner?: string;
}

/** The handler's deployment defaults, passed as `SUMMARIZER_*` environment variables. */
export interface LongDocumentSettings {
  readonly strategy: 'map-reduce' | 'truncate';
  /** Window size in tokens; 0 = the model's maximum input length. */
  readonly chunkTokens: number;
  readonly overlapTokens: number;
  readonly batchSize: number;
  readonly maxRounds: number;
}

const DEFAULT_LONG_DOCUMENTS: LongDocumentSettings = { strategy: 'map-reduce', chunkTokens: 0, overlapTokens: 64, batchSize: 8, maxRounds: 4 };

/**
 * The PEGASUS model: a SageMaker model on the Hugging Face inference DLC, and the execution
 * role SageMaker assumes to pull the image, read input documents, write results and failures,
 * and publish notifications, each scoped to exactly what it needs.
 */
export class SummarizationModel extends Construct {
  public readonly role: iam.Role;
  public readonly model: sagemaker.CfnModel;
  public readonly imageUri: string;
  /** The handler archive (`code/inference.py`), the model data of a Hub model. */
  public readonly handlerCode: ModelHandlerCode;
  /** With modelDataUrl: the user's artifact repacked with the handler. */
  public readonly artifact?: ModelArtifactWithHandler;
  /** With a staged model: its servable copy, with the handler. */
  public readonly staged?: StagedModelWithHandler;
  /** With a Hub model: the handler archive, copied into the app bucket. */
  public readonly handlerArchive?: HandlerArchiveInAppBucket;
  /** The container has no network access (`EnableNetworkIsolation`). */
  public readonly networkIsolated: boolean;
  private documents!: DocumentStore;

  constructor(scope: Construct, id: string, props: SummarizationModelProps) {
    super(scope, id);
    const hfTask = props.hfTask ?? 'summarization';
    const image = resolveInferenceImage(this, props.image, props.imageDigest);
    this.imageUri = image.imageUri;

    if (image.tag?.includes('transformers5') && PIPELINES_REMOVED_IN_TRANSFORMERS_5.includes(hfTask)) {
      Annotations.of(this).addWarningV2(
        'summarizer:transformers5-task',
        `Image tag "${image.tag}" ships transformers 5, which removed the "${hfTask}" pipeline. ` +
          "This app's handler (code/inference.py) loads the model with AutoModelForSeq2SeqLM and uses no pipeline, " +
          'but transformers 5 images are untested with it (and its toolkit is a newer, unreviewed commit): pin a transformers 4 tag unless you have tested one.',
      );
    }
    this.handlerCode = new ModelHandlerCode(this, 'HandlerCode');
    // Model artifacts get the handler at deploy time: SageMaker serves a copy with code/inference.py in it.
    this.artifact =
      props.modelDataUrl === undefined
        ? undefined
        : new ModelArtifactWithHandler(this, 'ArtifactWithHandler', {
            sourceModelDataUrl: props.modelDataUrl,
            sourceKmsKeyArn: props.modelDataKmsKeyArn,
            sourceBucketOwner: props.modelDataBucketOwner,
            handlerCode: this.handlerCode,
            documents: props.documents,
            logs: props.logs,
          });
    this.staged =
      props.stagedModel === undefined
        ? undefined
        : new StagedModelWithHandler(this, 'StagedWithHandler', {
            sourceBucketName: props.stagedModel.bucketName,
            sourcePrefix: props.stagedModel.prefix,
            sourceKmsKeyArn: props.stagedModel.kmsKeyArn,
            sourceBucketOwner: props.stagedModel.bucketOwner,
            modelId: props.modelId,
            modelRevision: props.modelRevision!,
            stageCommand: props.stagedModel.stageCommand,
            handlerCode: this.handlerCode,
            documents: props.documents,
            logs: props.logs,
          });
    const downloadsFromHub = this.artifact === undefined && this.staged === undefined;
    this.handlerArchive = downloadsFromHub ? new HandlerArchiveInAppBucket(this, 'HandlerArchive', { handlerCode: this.handlerCode, documents: props.documents, logs: props.logs }) : undefined;
    this.networkIsolated = props.networkIsolation ?? !downloadsFromHub;
    if (this.networkIsolated && downloadsFromHub) {
      throw new Error('networkIsolation: a Hub model (HF_MODEL_ID) is downloaded by the container at start, which network isolation blocks; stage the model first');
    }

    this.role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'SageMaker execution role of the summarization model',
    });
    acknowledgeNist(this.role, 'IAMNoInlinePolicy', OWN_POLICY_REASON);
    acknowledgeNist(this.role, 'IAMPolicyNoStatementsWithFullAccess', 'The one kms:* statement is a Deny: the role may use the data key only through S3, SNS, SageMaker and EC2 (KeyOnlyThroughServices).');
    this.grantExecutionPermissions(props, image.repositoryArn);

    const longDocuments = props.longDocuments ?? DEFAULT_LONG_DOCUMENTS;
    const environment: Record<string, string> = {
      HF_TASK: hfTask,
      SUMMARIZER_LONG_DOCUMENTS: longDocuments.strategy,
      SUMMARIZER_CHUNK_TOKENS: String(longDocuments.chunkTokens),
      SUMMARIZER_OVERLAP_TOKENS: String(longDocuments.overlapTokens),
      SUMMARIZER_BATCH_SIZE: String(longDocuments.batchSize),
      SUMMARIZER_MAX_ROUNDS: String(longDocuments.maxRounds),
      MMS_MAX_REQUEST_SIZE: String(MODEL_SERVER_MAX_PAYLOAD_BYTES),
      MMS_MAX_RESPONSE_SIZE: String(MODEL_SERVER_MAX_PAYLOAD_BYTES),
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: String(props.invocationTimeoutSeconds),
      MMS_DEFAULT_RESPONSE_TIMEOUT_SECONDS: String(props.invocationTimeoutSeconds),
    };
    if (props.modelServerWorkers !== undefined) environment.SAGEMAKER_MODEL_SERVER_WORKERS = String(props.modelServerWorkers);
    if (downloadsFromHub) {
      environment.HF_MODEL_ID = props.modelId;
      if (props.modelRevision !== undefined) environment.HF_MODEL_REVISION = props.modelRevision;
    }

    this.model = new sagemaker.CfnModel(this, 'Resource', {
      executionRoleArn: this.role.roleArn,
      primaryContainer: {
        image: image.imageUri,
        // Model artifacts: the user's archive, repacked with the handler (ModelArtifactWithHandler).
        modelDataUrl: this.artifact?.modelDataUrl,
        modelDataSource: this.modelDataSource(),
        environment,
      },
      // A Hub model is downloaded by the container at start-up, which needs egress; staged models
      // and model artifacts are fetched by SageMaker itself, so the container can be cut off.
      enableNetworkIsolation: this.networkIsolated,
      vpcConfig: props.vpc && { subnets: [...props.vpc.subnetIds], securityGroupIds: [...props.vpc.securityGroupIds] },
    });
    // The servable copy exists before the model that loads it.
    if (this.staged) this.model.node.addDependency(this.staged.resource);
    if (this.handlerArchive) this.model.node.addDependency(this.handlerArchive.resource);
    // SageMaker checks the role's permissions when the model is created: without this the model
    // can race the role's policy and fail with "could not access model data" or a missing
    // ecr:BatchGetImage. Depending on the role covers every policy attached to it.
    this.model.node.addDependency(this.role);

    if (props.vpc === undefined) {
      Validations.of(this.model).acknowledge({
        id: 'AwsSolutions-SM1',
        reason:
          'No VPC unless vpcSubnetIds is set: a Hub model is downloaded at container start and needs egress; ' +
          'a staged model runs with network isolation instead (no network at all). Data in S3 is reached through SageMaker.',
      });
    }
  }

  /**
   * Where SageMaker reads the model data from, when not a repacked artifact (ModelDataUrl).
   * - A staged model: its servable copy, uncompressed under a prefix (S3Prefix, CompressionType
   *   None: every object becomes a file under /opt/ml/model, API reference S3ModelDataSource).
   * - A Hub model: the archive holding only the handler; SageMaker extracts it to /opt/ml/model,
   *   whose code/ the toolkit puts on PYTHONPATH, and the toolkit downloads the weights named by
   *   HF_MODEL_ID. ModelDataSource rather than ModelDataUrl, whose object "must" have a .tar.gz
   *   suffix (CreateModel API reference) while CDK file assets keep only the last extension
   *   (.gz); for S3Object + Gzip, SageMaker "will attempt to decompress and untar the object"
   *   whatever its name (AWS::SageMaker::Model S3DataSource).
   */
  private modelDataSource(): sagemaker.CfnModel.ModelDataSourceProperty | undefined {
    if (this.staged) return { s3DataSource: { s3Uri: this.staged.modelDataPrefixUrl, s3DataType: 'S3Prefix', compressionType: 'None' } };
    if (this.artifact) return undefined;
    return { s3DataSource: { s3Uri: this.handlerArchive!.s3ObjectUrl, s3DataType: 'S3Object', compressionType: 'Gzip' } };
  }

  /**
   * Lets SageMaker read request payloads under another prefix (the pipeline's `requests/`).
   */
  public grantReadRequests(prefix: DocumentPrefix): void {
    this.documents.grantReadObjects(this.role, prefix);
    acknowledgeWildcard(
      this.executionPolicy,
      { resource: this.documents.objectsArn(prefix) },
      `SageMaker reads whichever request object a client names in InputLocation; scoped to the ${DOCUMENT_PREFIXES[prefix]} prefix.`,
    );
  }

  /**
   * Lets the container write its logs to the endpoint's own log group, which the stack creates
   * (Custom::EndpointLogGroup), so neither `logs:CreateLogGroup` nor any other endpoint's group.
   */
  public grantEndpointLogs(logGroupName: string): void {
    const group = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${logGroupName}`;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EndpointLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [group, `${group}:log-stream:*`],
      }),
    );
    acknowledgeWildcard(this.executionPolicy, { resource: `${group}:log-stream:*` }, 'SageMaker names a log stream per instance and container; scoped to the streams of this endpoint\'s log group.');
  }

  private get executionPolicy(): IConstruct {
    return this.role.node.findChild('DefaultPolicy').node.defaultChild!;
  }

  private grantExecutionPermissions(props: SummarizationModelProps, repositoryArn: string): void {
    const { documents } = props;
    this.documents = documents;
    documents.grantWriteObjects(this.role, 'output', 'failure');
    // Publishing to an SSE-KMS topic needs kms:GenerateDataKey and kms:Decrypt on the topic key,
    // which the write grant above already gives on the (shared) data key. Not Topic.grantPublish:
    // it adds kms:GenerateDataKey*, broader than SNS needs.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishNotifications',
        actions: ['sns:Publish'],
        resources: props.notificationTopics.map((t) => t.topicArn),
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PullInferenceImage',
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        resources: [repositoryArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EcrAuthorization',
        // Supports no resource-level permissions (Service Authorization Reference, Amazon ECR).
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InstanceMetrics',
        // Takes no resource ARN; the namespace condition key is the only scope it has.
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': [...MODEL_METRIC_NAMESPACES] } },
      }),
    );
    // Whatever the grants above allow on the data key, the role may use it only through the
    // services that act for it: S3 (requests, results), SNS (notifications) and SageMaker.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KeyOnlyThroughServices',
        effect: iam.Effect.DENY,
        actions: ['kms:*'],
        resources: ['*'],
        conditions: { StringNotEquals: { 'kms:ViaService': KEY_SERVICES.map((service) => `${service}.${Aws.REGION}.amazonaws.com`) } },
      }),
    );
    if (this.staged) {
      // The servable copy only: SageMaker never reads the staged files themselves.
      this.staged.grantRead(this.role);
      acknowledgeWildcard(this.executionPolicy, { resource: this.staged.objectsArn }, 'SageMaker loads every file of the model (an S3Prefix data source); scoped to the servable copy of the one deployed model revision.');
    } else if (this.handlerArchive) {
      // The copy in the app bucket only: nothing of the bootstrap bucket.
      this.handlerArchive.grantRead(this.role);
    } else if (this.artifact) {
      // The repacked copy only: SageMaker never reads the original artifact.
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadModelArtifacts', actions: ['s3:GetObject'], resources: [this.artifact.objectArn] }));
    }

    if (props.vpc) this.grantVpcAccess();

    const policy = this.executionPolicy;
    for (const prefix of ['output', 'failure'] as const) {
      acknowledgeWildcard(
        policy,
        { resource: documents.objectsArn(prefix) },
        `SageMaker writes results under generated object names; scoped to the ${prefix}/ prefix.`,
      );
    }
    acknowledgeWildcard(
      policy,
      { resource: '*' },
      'ecr:GetAuthorizationToken and cloudwatch:PutMetricData (limited to SageMaker\'s endpoint namespaces) do not support resource-level permissions, and the key statement is a Deny; image pulls are scoped to the one repository. With vpcSubnetIds, so do the EC2 Describe* actions SageMaker uses to place instances in the VPC.',
    );
  }

  /**
   * What SageMaker needs to place the model's instances in your subnets: create, describe and
   * delete their network interfaces ("Give SageMaker AI Hosted Endpoints Access to Resources in
   * Your Amazon VPC", the list aws-cdk-lib's SageMakerCreateModel task grants). The Describe*
   * actions take no resource ARN.
   */
  private grantVpcAccess(): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PlaceInVpc',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }),
    );
  }
}
