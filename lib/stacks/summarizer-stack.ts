import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SummarizerConfig } from '../config/schema';
import { modelServerWorkers } from '../config/model-server';
import { stageModelCommand } from '../config/load';
import { stagedPrefix } from '../../common/staged-model';
import { parseS3Url } from '../../common/summary-record';
import { AsyncInferenceEndpoint, endpointLogGroupName, hasInstanceStorage } from '../constructs/async-inference-endpoint';
import { DataKey } from '../constructs/data-key';
import { DocumentStore } from '../constructs/document-store';
import { EncryptedTopic } from '../constructs/encrypted-topic';
import { EndpointAutoScaling } from '../constructs/endpoint-autoscaling';
import { EndpointMonitoring } from '../constructs/endpoint-monitoring';
import { LogSettings } from '../constructs/handler-function';
import { StagedModelSource, SummarizationModel } from '../constructs/summarization-model';
import { SummaryPipeline } from '../constructs/summary-pipeline';

export interface SummarizerStackProps extends StackProps {
  /** The validated configuration (see `lib/config`). */
  readonly config: SummarizerConfig;
}

/**
 * The whole summarization service for one stage: data (key, bucket, topics), the model and
 * its async endpoint, auto scaling to zero and back, the research pipeline (upload → summary in
 * a table) unless turned off, and monitoring.
 *
 * One stack on purpose: the endpoint, its role and its alarms reference the bucket, key and
 * topics everywhere, and cross-stack exports would freeze those resources (an export in use
 * can be neither changed nor removed). Data survives `cdk destroy` through removal policies
 * instead (RETAIN by default).
 */
export class SummarizerStack extends Stack {
  public readonly dataKey: DataKey;
  /** Encrypts the log groups and the operations (alarm) topic. */
  public readonly operationsKey: DataKey;
  public readonly documents: DocumentStore;
  public readonly successTopic: EncryptedTopic;
  public readonly errorTopic: EncryptedTopic;
  public readonly operationsTopic: EncryptedTopic;
  public readonly model: SummarizationModel;
  public readonly endpoint: AsyncInferenceEndpoint;
  public readonly autoScaling: EndpointAutoScaling;
  public readonly monitoring: EndpointMonitoring;
  /** Present unless the configuration turns the pipeline off. */
  public readonly pipeline?: SummaryPipeline;
  /** The pipeline's invoker wakes the endpoint at zero when it submits (`wakeOnSubmit`). */
  public readonly wakesOnSubmit: boolean;

  constructor(scope: Construct, id: string, props: SummarizerStackProps) {
    super(scope, id, props);
    const c = props.config;
    const dataRemovalPolicy = c.dataRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // Two keys: documents, results and the table under the data key; logs and alarms under the
    // operations key, so whoever reads logs and alarms (operations) need not be able to decrypt
    // documents and summaries, and the data key's policy names no logging service.
    const principals = c.keyAdminArns.length > 0 ? { administrators: c.keyAdminArns, users: c.keyUserArns, stackName: this.stackName } : undefined;
    this.dataKey = new DataKey(this, 'DataKey', { removalPolicy: dataRemovalPolicy, principals });
    this.operationsKey = new DataKey(this, 'OperationsKey', {
      description: 'Encrypts the summarization service\'s logs and alarm notifications',
      removalPolicy: dataRemovalPolicy,
      principals,
    });
    // Every log group of the stack: encrypted with the operations key, kept logRetentionDays,
    // and named so the key policy can name them (a log group's ARN cannot appear in the policy
    // of the key that encrypts it: that would be circular).
    const logSettings: LogSettings = {
      prefix: `/pegasus-summarizer/${c.stage}/`,
      encryptionKey: this.operationsKey.key,
      retention: c.logRetentionDays as logs.RetentionDays,
    };

    const encryptionKey = this.dataKey.key;

    this.documents = new DocumentStore(this, 'Documents', {
      encryptionKey,
      retentionDays: c.dataRetentionDays,
      accessLogRetentionDays: c.accessLogRetentionDays,
      removalPolicy: dataRemovalPolicy,
    });

    this.successTopic = new EncryptedTopic(this, 'SuccessTopic', {
      encryptionKey,
      displayName: 'Summarization succeeded',
      emails: c.notificationEmails,
      // SageMaker sends a TestNotification after every endpoint update, each scale-out from zero included.
      emailEventNames: ['InferenceResult'],
    });
    this.errorTopic = new EncryptedTopic(this, 'ErrorTopic', {
      encryptionKey,
      displayName: 'Summarization failed',
      emails: c.notificationEmails,
      emailEventNames: ['InferenceResult'],
    });
    this.operationsTopic = new EncryptedTopic(this, 'OperationsTopic', {
      encryptionKey: this.operationsKey.key,
      displayName: 'Summarization endpoint alarms',
      emails: c.alarmEmails,
    });
    this.operationsTopic.allowServiceToPublish('cloudwatch.amazonaws.com');
    this.operationsKey.allowServiceToEncrypt('cloudwatch.amazonaws.com');

    this.model = new SummarizationModel(this, 'Model', {
      documents: this.documents,
      notificationTopics: [this.successTopic.topic, this.errorTopic.topic],
      modelId: c.modelId,
      hfTask: c.hfTask,
      modelRevision: c.modelRevision,
      modelDataUrl: c.modelDataUrl,
      modelDataKmsKeyArn: c.modelDataKmsKeyArn,
      modelDataBucketOwner: c.modelDataBucketOwner,
      stagedModel: this.stagedModelSource(c),
      networkIsolation: c.networkIsolation === 'auto' ? undefined : c.networkIsolation === 'on',
      vpc: c.vpcSubnetIds.length > 0 ? { subnetIds: c.vpcSubnetIds, securityGroupIds: c.vpcSecurityGroupIds } : undefined,
      image: c.image,
      imageDigest: c.imageDigest,
      invocationTimeoutSeconds: c.invocationTimeoutSeconds,
      modelServerWorkers: modelServerWorkers(c),
      logs: logSettings,
      longDocuments: {
        strategy: c.longDocuments,
        chunkTokens: c.chunkTokens,
        overlapTokens: c.overlapTokens,
        batchSize: c.summaryBatchSize,
        maxRounds: c.maxSummaryRounds,
      },
    });

    const encryptVolume =
      c.volumeKmsEncryption === 'always' || (c.volumeKmsEncryption === 'auto' && !hasInstanceStorage(c.instanceType));
    this.endpoint = new AsyncInferenceEndpoint(this, 'Endpoint', {
      model: this.model,
      documents: this.documents,
      successTopic: this.successTopic.topic,
      errorTopic: this.errorTopic.topic,
      instanceType: c.instanceType,
      initialInstanceCount: Math.max(1, c.minCapacity),
      maxConcurrentInvocationsPerInstance: c.maxConcurrentInvocationsPerInstance,
      includeInferenceResponseIn: c.includeInferenceResponseIn,
      volumeEncryptionKey: encryptVolume ? encryptionKey : undefined,
      containerStartupTimeoutSeconds: c.containerStartupTimeoutSeconds,
      namePrefix: this.stackName,
      logs: logSettings,
      logRemovalPolicy: dataRemovalPolicy,
    });
    this.model.grantEndpointLogs(endpointLogGroupName(this.endpoint.physicalName));
    // Every endpoint this stack has had (one per instance type), so older log groups stay readable.
    this.operationsKey.allowLogsToEncrypt([`${logSettings.prefix}*`, endpointLogGroupName(`${this.stackName}-*`)]);

    // The invoker wakes an endpoint at zero itself; the wake alarm is then only its backstop.
    this.wakesOnSubmit = c.wakeOnSubmit && c.pipeline && c.minCapacity === 0;
    this.autoScaling = new EndpointAutoScaling(this, 'AutoScaling', {
      endpoint: this.endpoint,
      minCapacity: c.minCapacity,
      maxCapacity: c.maxCapacity,
      targetBacklogPerInstance: c.targetBacklogPerInstance,
      scaleInCooldown: Duration.seconds(c.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(c.scaleOutCooldownSeconds),
      scaleOutFromZero: c.scaleOutFromZero,
      scaleFromZeroCooldown: Duration.seconds(c.scaleFromZeroCooldownSeconds),
      idleScaleInMinutes: c.idleScaleInMinutes,
      scaleFromZeroBackstopOnly: this.wakesOnSubmit,
    });

    // Without the pipeline, clients (summarizer submit) put requests under input/ and name them.
    if (!c.pipeline) this.model.grantReadRequests('input');
    if (c.pipeline) {
      this.pipeline = new SummaryPipeline(this, 'Pipeline', {
        documents: this.documents,
        dataKey: this.dataKey,
        keyPrincipals: principals,
        model: this.model,
        endpoint: this.endpoint,
        successTopic: this.successTopic.topic,
        errorTopic: this.errorTopic.topic,
        modelId: c.modelId,
        modelRevision: c.modelDataUrl ?? c.modelRevision!,
        invocationTimeoutSeconds: c.invocationTimeoutSeconds,
        retentionDays: c.dataRetentionDays,
        removalPolicy: dataRemovalPolicy,
        deletionProtection: c.deletionProtection,
        maxConcurrency: c.pipelineMaxConcurrency,
        wakeEndpointOnSubmit: this.wakesOnSubmit ? { backlogPerInstance: c.targetBacklogPerInstance, maxInstances: c.maxCapacity } : undefined,
        logs: logSettings,
      });
    }

    // The result topics carry summaries: only the model publishes, and only the configured
    // addresses and the pipeline's queue may subscribe.
    for (const topic of [this.successTopic, this.errorTopic]) {
      topic.restrictPublishTo([this.model.role.roleArn]);
      topic.restrictSubscriptionsTo(this.pipeline ? [this.pipeline.resultsQueue.queueArn] : []);
    }

    this.monitoring = new EndpointMonitoring(this, 'Monitoring', {
      endpoint: this.endpoint,
      pipeline: this.pipeline,
      alarmTopic: this.operationsTopic.topic,
      targetBacklogPerInstance: c.targetBacklogPerInstance,
      oldestRequestThreshold: Duration.seconds(c.oldestRequestAlarmSeconds),
      backlogWithoutCapacityThreshold: Duration.minutes(c.backlogWithoutCapacityAlarmMinutes),
    });

    this.addOutputs(c);
  }

  /** modelSource "staged": `models/<id>/<revision>/` in this app's bucket; an `s3://` prefix: there. */
  private stagedModelSource(c: SummarizerConfig): StagedModelSource | undefined {
    if (c.modelSource === 'hub' || c.modelDataUrl !== undefined) return undefined;
    const stageCommand = stageModelCommand(c);
    if (c.modelSource === 'staged') return { bucketName: this.documents.bucket.bucketName, prefix: stagedPrefix(c.modelId, c.modelRevision!), stageCommand };
    const { bucket: bucketName, key: prefix } = parseS3Url(c.modelSource)!;
    return { bucketName, prefix, stageCommand, kmsKeyArn: c.modelDataKmsKeyArn, bucketOwner: c.modelDataBucketOwner };
  }

  private addOutputs(c: SummarizerConfig): void {
    const outputs: Record<string, [string, string]> = {
      BucketName: [this.documents.bucket.bucketName, 'Bucket holding input/, output/ and failure/'],
      InputPrefix: [this.documents.s3Url('input'), 'Upload request payloads here'],
      OutputPrefix: [this.documents.s3Url('output'), 'Summaries are written here'],
      FailurePrefix: [this.documents.s3Url('failure'), 'Failure reports are written here'],
      EndpointName: [this.endpoint.endpointName, 'Async endpoint to call with InvokeEndpointAsync'],
      InvocationTimeoutSeconds: [
        String(c.invocationTimeoutSeconds),
        'Send as InvocationTimeoutSeconds with each request (SageMaker defaults to 900)',
      ],
      SuccessTopicArn: [this.successTopic.topic.topicArn, 'Success notifications'],
      ErrorTopicArn: [this.errorTopic.topic.topicArn, 'Error notifications'],
      OperationsTopicArn: [this.operationsTopic.topic.topicArn, 'Operator alarms'],
      DashboardUrl: [this.monitoring.dashboardUrl, 'CloudWatch dashboard of the endpoint'],
    };
    if (this.wakesOnSubmit) {
      // What the CLI needs to wake the endpoint as the invoker does, for what it submits directly.
      outputs.WakeVariantName = [this.endpoint.variantName, 'Variant the invoker (and the CLI, submitting directly) wakes at zero instances'];
      outputs.WakeBacklogPerInstance = [String(c.targetBacklogPerInstance), 'The wake starts one instance per this many waiting requests'];
      outputs.WakeMaxInstances = [String(c.maxCapacity), 'The wake starts at most this many instances'];
    }
    if (this.pipeline) {
      outputs.SummariesTableName = [this.pipeline.table.tableName, 'DynamoDB table of summaries (pipeline)'];
      outputs.InvokerFunctionName = [this.pipeline.invoker.functionName, 'Lambda function that submits uploads (summarizer drain/resume pause and restart it)'];
    }
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}
