import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SUMMARY_TABLE } from '../../common/summary-record';
import { PENDING_METRIC, STUCK_METRIC } from '../../common/pipeline-metrics';
import { REQUEST_TTL_SECONDS } from '../../common/submission';
import { acknowledgeWildcard } from '../nag';
import { AsyncInferenceEndpoint } from './async-inference-endpoint';
import { DataKey, KeyPrincipals } from './data-key';
import { acknowledgeNist } from '../nag';
import { SCALE_FROM_ZERO_ALARM } from './endpoint-autoscaling';
import { handlerFunction, LogSettings } from './handler-function';
import { DOCUMENT_PREFIXES, DocumentStore } from './document-store';
import { SummarizationModel } from './summarization-model';

/** Messages that failed this many times move to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/**
 * The invoker copies each upload server-side (up to the 1 GB async payload limit) before it
 * submits it; a batch of ten such copies fits in this.
 */
export const INVOKER_TIMEOUT = Duration.minutes(5);
/**
 * Uploads per invoker batch: each PDF, HTML or Word document is extracted in memory (up to
 * DEFAULT_EXTRACTION_LIMITS: 100 MB, 90 s), so a batch of three fits the timeout even at the limits.
 */
export const INGEST_BATCH_SIZE = 3;
/** Memory (and so CPU) for extraction: see `npm run bench:extract` and README, "Document formats". */
export const INVOKER_MEMORY_MB = 2048;
/** AWS Lambda guide (SQS event source): set the visibility timeout to at least six times the function timeout. */
export const INGEST_VISIBILITY_TIMEOUT = Duration.minutes(INVOKER_TIMEOUT.toMinutes() * 6);
/** How often the sweeper looks for records stuck in SUBMITTING. */
export const SWEEP_SCHEDULE = Duration.minutes(30);
/**
 * A record SUBMITTING for longer than every delivery of its message could take (the queue's
 * whole retry window) plus a quarter of an hour has nothing left that could finish it.
 */
export const SWEEP_STALE_AFTER = Duration.minutes(INGEST_VISIBILITY_TIMEOUT.toMinutes() * MAX_RECEIVE_COUNT + 15);
/** Days of records the sweeper looks through (the dead-letter queues keep messages 14 days). */
export const SWEEP_LOOKBACK_DAYS = 14;
/** A record PENDING this long is checked for a result in S3 whose notification never arrived. */
export const SWEEP_PENDING_CHECK_AFTER = SWEEP_SCHEDULE;
/**
 * ⚠ How long after a request's processing ends SageMaker may still deliver its notification:
 * AWS documents no bound. Past the queue TTL and the invocation timeout plus this, a PENDING
 * record with no result in S3 can have none any more, and the sweeper sends it again.
 */
export const NOTIFICATION_GRACE = Duration.minutes(30);
/** Submissions of one document in all (the first and one resubmission) before it is FAILED. */
export const SWEEP_MAX_SUBMISSIONS = 2;
/**
 * PENDING records one sweep looks at (two HEAD requests each, well inside the invoker's
 * timeout); a larger backlog is taken oldest first over several sweeps.
 */
export const SWEEP_MAX_PENDING = 500;
/** Dead-letter queues keep messages as long as SQS allows, for a person to inspect and redrive. */
const DLQ_RETENTION = Duration.days(14);

export interface SummaryPipelineProps {
  readonly documents: DocumentStore;
  readonly dataKey: DataKey;
  /**
   * Who administers and uses the queue key (as the data key).
   *
   * @default - the account's IAM policies decide
   */
  readonly keyPrincipals?: KeyPrincipals;
  readonly model: SummarizationModel;
  readonly endpoint: AsyncInferenceEndpoint;
  readonly successTopic: sns.ITopic;
  readonly errorTopic: sns.ITopic;
  /** Recorded with each summary. */
  readonly modelId: string;
  /** The model's revision, recorded with every summary: the pinned Hub commit, or the modelDataUrl artifact. */
  readonly modelRevision: string;
  /** Sent with each request. */
  readonly invocationTimeoutSeconds: number;
  /**
   * Days before a record expires (DynamoDB TTL); 0 keeps records.
   *
   * @default 0
   */
  readonly retentionDays?: number;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * DynamoDB deletion protection on the summaries table.
   *
   * @default false
   */
  readonly deletionProtection?: boolean;
  /** Where the functions' log groups go, encrypted and retained. */
  readonly logs: LogSettings;
  /**
   * Concurrent invoker Lambdas; bounds the InvokeEndpointAsync request rate during a bulk upload.
   *
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * The invoker wakes the endpoint when it submits work to it at zero instances (see
   * lambda/invoker/wake.ts), one instance per `backlogPerInstance` requests waiting, up to
   * `maxInstances`, rather than leaving the wake to the `HasBacklogWithoutCapacity` alarm alone.
   * Only meaningful for an endpoint that scales to zero.
   *
   * @default - no wake on submit
   */
  readonly wakeEndpointOnSubmit?: { readonly backlogPerInstance: number; readonly maxInstances: number };
}

/**
 * The research pipeline: an object created under `input/` is submitted to the endpoint
 * automatically, and every result (success or failure) lands in a queryable DynamoDB table.
 *
 *   S3 (input/) → EventBridge rule → ingest queue → invoker Lambda → InvokeEndpointAsync
 *   success/error topics → results queue → recorder Lambda → summaries table
 *
 * Both hops go through SQS queues with dead-letter queues, so nothing is dropped: a message
 * that cannot be processed is retried, then kept for 14 days for inspection and redrive.
 */
export class SummaryPipeline extends Construct {
  public readonly table: dynamodb.Table;
  public readonly queueKey: kms.IKey;
  public readonly ingestQueue: sqs.Queue;
  public readonly ingestDeadLetterQueue: sqs.Queue;
  public readonly resultsQueue: sqs.Queue;
  public readonly resultsDeadLetterQueue: sqs.Queue;
  /** Scheduled sweeps EventBridge could not deliver to the invoker. */
  public readonly sweepDeadLetterQueue: sqs.Queue;
  public readonly uploadRule: events.Rule;
  public readonly sweepRule: events.Rule;
  /**
   * With `wakeEndpointOnSubmit`: requests waiting with no instance in service in any minute
   * (`HasBacklogWithoutCapacity` Maximum ≥ 1) invoke the invoker's wake check, which wakes the
   * endpoint if it is at rest at zero (lambda/invoker/wake-check.ts).
   */
  public readonly wakeCheckAlarm?: cloudwatch.Alarm;
  public readonly invoker: nodejs.NodejsFunction;
  public readonly recorder: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: SummaryPipelineProps) {
    super(scope, id);
    const key = props.dataKey.key;
    const { documents } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Table (v1), not TableV2: TableV2 cannot render a customer-managed key in a
    // region-agnostic stack.
    this.table = new dynamodb.Table(this, 'Summaries', {
      partitionKey: { name: SUMMARY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: SUMMARY_TABLE.timeToLiveAttribute,
      removalPolicy,
      deletionProtection: props.deletionProtection,
    });
    acknowledgeNist(this.table, 'DynamoDBInBackupPlan', 'Point-in-time recovery is on (any second of the last 35 days), and deletionProtection is available; an AWS Backup plan is the account\'s backup policy, which this stack does not own.');
    for (const index of [SUMMARY_TABLE.byDocument, SUMMARY_TABLE.byDay]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      });
    }

    // The queues have their own key: SNS subscriptions add a key-policy statement naming each
    // topic, and the topics are encrypted with the data key, so sharing it would be circular.
    // Queue contents are transient, so the key goes with the stack. (The SQS targets and
    // subscriptions add the key-policy statements EventBridge and SNS need.)
    const queueKey = new DataKey(this, 'QueueKey', {
      description: 'Encrypts the summarization pipeline queues',
      removalPolicy: RemovalPolicy.DESTROY,
      principals: props.keyPrincipals,
    });
    this.queueKey = queueKey.key;

    // Ingestion: S3 → EventBridge → SQS → invoker.
    documents.enableEventBridgeNotifications();
    this.ingestDeadLetterQueue = this.queue('IngestDeadLetterQueue', this.queueKey);
    this.ingestQueue = this.queue('IngestQueue', this.queueKey, this.ingestDeadLetterQueue, INGEST_VISIBILITY_TIMEOUT);
    this.uploadRule = new events.Rule(this, 'UploadRule', {
      description: `Documents uploaded under ${DOCUMENT_PREFIXES.input} go to the summarization ingest queue`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [documents.bucket.bucketName] },
          object: { key: [{ prefix: DOCUMENT_PREFIXES.input }] },
        },
      },
    });
    this.deliverUploadsToIngestQueue();

    this.invoker = handlerFunction(this, 'Invoker', { handlerDir: 'invoker', timeout: INVOKER_TIMEOUT, memorySize: INVOKER_MEMORY_MB, logs: props.logs, pdfjsData: true, invokedBy: 'sqs', environment: {
      BUCKET_NAME: documents.bucket.bucketName,
      INPUT_PREFIX: DOCUMENT_PREFIXES.input,
      REQUESTS_PREFIX: DOCUMENT_PREFIXES.requests,
      EXTRACTED_PREFIX: DOCUMENT_PREFIXES.extracted,
      ENDPOINT_NAME: props.endpoint.endpointName,
      TABLE_NAME: this.table.tableName,
      MODEL_ID: props.modelId,
      MODEL_REVISION: props.modelRevision,
      INVOCATION_TIMEOUT_SECONDS: String(props.invocationTimeoutSeconds),
      RETENTION_DAYS: String(props.retentionDays ?? 0),
      MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
      SWEEP_STALE_AFTER_SECONDS: String(SWEEP_STALE_AFTER.toSeconds()),
      SWEEP_LOOKBACK_DAYS: String(SWEEP_LOOKBACK_DAYS),
      SWEEP_PENDING_CHECK_AFTER_SECONDS: String(SWEEP_PENDING_CHECK_AFTER.toSeconds()),
      SWEEP_PENDING_DEADLINE_SECONDS: String(REQUEST_TTL_SECONDS + props.invocationTimeoutSeconds + NOTIFICATION_GRACE.toSeconds()),
      SWEEP_MAX_SUBMISSIONS: String(SWEEP_MAX_SUBMISSIONS),
      SWEEP_MAX_PENDING: String(SWEEP_MAX_PENDING),
      ...(props.wakeEndpointOnSubmit && {
        WAKE_VARIANT_NAME: props.endpoint.variantName,
        WAKE_BACKLOG_PER_INSTANCE: String(props.wakeEndpointOnSubmit.backlogPerInstance),
        WAKE_MAX_INSTANCES: String(props.wakeEndpointOnSubmit.maxInstances),
      }),
    } });
    this.invoker.addEventSource(
      new SqsEventSource(this.ingestQueue, {
        batchSize: INGEST_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );
    documents.grantCopySource(this.invoker, 'input');
    // Single PutObject and CopyObject calls only (lambda/invoker/staging.ts): no multipart upload to abort.
    documents.grantPutObjects(this.invoker, 'requests', 'extracted');
    iam.Grant.addToPrincipal({
      grantee: this.invoker,
      actions: ['sagemaker:InvokeEndpointAsync'],
      resourceArns: [props.endpoint.endpointArn],
    });
    this.grantTableWrite(this.invoker, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    if (props.wakeEndpointOnSubmit) {
      props.endpoint.grantSetCapacity(this.invoker);
      this.wakeCheckAlarm = this.addWakeCheck(props.endpoint);
    }
    props.model.grantReadRequests('requests');
    props.model.grantReadRequests('extracted');

    // The sweeper runs in the invoker (same code path, same permissions) on a schedule, and
    // finds stuck records through the byDay index. For PENDING records it reads the result
    // objects (HEAD, and GET to record them) and asks whether a replaced endpoint still exists.
    documents.grantReadObjects(this.invoker, 'output', 'failure');
    props.endpoint.grantDescribeSiblings(this.invoker);
    // A sweep EventBridge could not deliver (throttled, denied) is kept here, and alarms: no
    // replay is needed (the next sweep reads the table again), but someone must know it did not run.
    this.sweepDeadLetterQueue = this.queue('SweepDeadLetterQueue', this.queueKey);
    Validations.of(this.sweepDeadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "It is a dead-letter queue: the sweep schedule's EventBridge target sends the events it cannot deliver here (DeadLetterConfig), which the rule checks only for SQS redrive policies.",
    });
    this.sweepRule = new events.Rule(this, 'SweepRule', {
      description: 'Resubmits or fails summarization records stuck in SUBMITTING, recovers or resubmits PENDING ones without result',
      schedule: events.Schedule.rate(SWEEP_SCHEDULE),
      targets: [new targets.LambdaFunction(this.invoker, { retryAttempts: 2, deadLetterQueue: this.sweepDeadLetterQueue })],
    });
    iam.Grant.addToPrincipal({
      grantee: this.invoker,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/${SUMMARY_TABLE.byDay.indexName}`],
    });

    // Results: success and error topics → SQS → recorder.
    this.resultsDeadLetterQueue = this.queue('ResultsDeadLetterQueue', this.queueKey);
    this.resultsQueue = this.queue('ResultsQueue', this.queueKey, this.resultsDeadLetterQueue, Duration.minutes(6));
    for (const topic of [props.successTopic, props.errorTopic]) {
      topic.addSubscription(
        new subscriptions.SqsSubscription(this.resultsQueue, {
          rawMessageDelivery: true,
          deadLetterQueue: this.resultsDeadLetterQueue,
        }),
      );
    }
    this.recorder = handlerFunction(this, 'Recorder', { handlerDir: 'recorder', timeout: Duration.minutes(1), memorySize: 512, logs: props.logs, invokedBy: 'sqs', environment: {
      TABLE_NAME: this.table.tableName,
      BUCKET_NAME: documents.bucket.bucketName,
      INPUT_PREFIX: DOCUMENT_PREFIXES.input,
      MODEL_ID: props.modelId,
      MODEL_REVISION: props.modelRevision,
      RETENTION_DAYS: String(props.retentionDays ?? 0),
      ENDPOINT_NAME_PREFIX: `${props.endpoint.namePrefix}-`,
    } });
    this.recorder.addEventSource(new SqsEventSource(this.resultsQueue, { batchSize: 10, reportBatchItemFailures: true }));
    documents.grantReadObjects(this.recorder, 'output', 'failure');
    this.grantTableWrite(this.recorder, 'dynamodb:UpdateItem');

    this.acknowledgeFindings(documents, props.endpoint);
  }

  /**
   * The wake check: the invoker wakes the endpoint as it submits, but a scale-in decided on stale
   * datapoints (or a client submitting straight to the endpoint) can leave requests waiting at zero
   * instances. This alarm sees that within the minute (plus CloudWatch's delay) and invokes the
   * invoker, which wakes the endpoint only if no instance is asked for: during an ordinary cold
   * start it does nothing, so, unlike a step policy, it never adds a second instance. A Lambda
   * alarm action runs once per state change; the 12-minute step-scaling backstop stays.
   */
  private addWakeCheck(endpoint: AsyncInferenceEndpoint): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, 'WakeCheckAlarm', {
      alarmDescription: 'Requests are waiting with no instance in service: the invoker checks that an instance is asked for, and wakes the endpoint if not. Not an operator alarm.',
      // The wake alarm's own shape: decided at the end of the minute requests started waiting in.
      metric: endpoint.metricHasBacklogWithoutCapacity({ period: Duration.seconds(SCALE_FROM_ZERO_ALARM.periodSeconds), statistic: SCALE_FROM_ZERO_ALARM.statistic }),
      evaluationPeriods: SCALE_FROM_ZERO_ALARM.evaluationPeriods,
      datapointsToAlarm: SCALE_FROM_ZERO_ALARM.datapointsToAlarm,
      threshold: SCALE_FROM_ZERO_ALARM.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    alarm.addAlarmAction(new actions.LambdaAction(this.invoker));
    return alarm;
  }

  /**
   * The upload rule's target, written out rather than with targets.SqsQueue, whose KMS grant
   * carries an `aws:SourceAccount` condition. For EventBridge delivering to an encrypted target,
   * AWS says "Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported
   * for EventBridge-to-encrypted topics" (SNS Developer Guide, sns-key-management), and the SQS
   * Developer Guide's key policy for EventBridge (sqs-key-management, "Configure KMS permissions
   * for AWS services") has no source condition either. So the key statement follows that
   * example, and the scoping moves to where source conditions are honoured: both queue policies
   * let events.amazonaws.com send only for this rule (`aws:SourceArn`, EventBridge User Guide,
   * "Amazon SQS permissions"). Nothing else can reach the key through EventBridge.
   */
  private deliverUploadsToIngestQueue(): void {
    const rule = this.uploadRule;
    this.uploadRule.addTarget({
      bind: () => ({
        arn: this.ingestQueue.queueArn,
        // Events EventBridge cannot deliver (after its own retries) are kept, not dropped.
        deadLetterConfig: { arn: this.ingestDeadLetterQueue.queueArn },
        retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: Duration.hours(24).toSeconds() },
      }),
    });
    const events = new iam.ServicePrincipal('events.amazonaws.com');
    for (const queue of [this.ingestQueue, this.ingestDeadLetterQueue]) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowUploadRuleToSend',
          principals: [events],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
        }),
      );
    }
    this.queueKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToEncryptIngestMessages',
        principals: [events],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
  }

  /**
   * Records the sweeper found stuck in SUBMITTING (it resubmits or fails each one).
   *
   * @default - maximum over 30 minutes (one sweep)
   */
  public metricStuckSubmissions(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sweepMetric(STUCK_METRIC.metricName, props);
  }

  private sweepMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: STUCK_METRIC.namespace,
      metricName,
      dimensionsMap: { [STUCK_METRIC.dimension]: this.table.tableName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: SWEEP_SCHEDULE,
      ...props,
    });
  }

  /**
   * Records PENDING whose result never reached the table that a sweep acted on: a result
   * recovered from S3 (its notification was lost), a request sent again (its endpoint was
   * replaced, or it outlived its queue TTL and invocation timeout), or one recorded FAILED.
   *
   * @default - maximum over 30 minutes (one sweep)
   */
  public metricPendingWithoutResult(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sweepMetric(PENDING_METRIC.metricName, props);
  }

  /** Read access to the table and its indexes (for the CLI's export, dashboards, notebooks). */
  public grantReadSummaries(grantee: iam.IGrantable): iam.Grant {
    this.table.encryptionKey?.grant(grantee, 'kms:Decrypt');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resourceArns: [this.table.tableArn, `${this.table.tableArn}/index/*`],
    });
  }

  private queue(id: string, key: kms.IKey, deadLetterQueue?: sqs.IQueue, visibilityTimeout?: Duration): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: deadLetterQueue ? Duration.days(4) : DLQ_RETENTION,
      visibilityTimeout,
      deadLetterQueue: deadLetterQueue ? { queue: deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT } : undefined,
    });
    return queue;
  }

  private grantTableWrite(grantee: lambda.IFunction, ...actions: string[]): void {
    this.table.encryptionKey?.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
    iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.table.tableArn] });
  }

  private acknowledgeFindings(documents: DocumentStore, endpoint: AsyncInferenceEndpoint): void {
    const objectReasons: Array<[nodejs.NodejsFunction, Array<keyof typeof DOCUMENT_PREFIXES>, string]> = [
      [this.invoker, ['input', 'requests', 'extracted'], 'copies the exact version of each upload to an immutable request object, or writes the text it extracts from it'],
      [this.invoker, ['output', 'failure'], "sweeper reads the result or failure report of a request whose notification never arrived, at the location SageMaker returned (generated names)"],
      [this.recorder, ['output', 'failure'], 'reads the result or failure report named in each notification'],
    ];
    const invokerPolicy = this.invoker.role!.node.findChild('DefaultPolicy').node.defaultChild!;
    for (const arn of endpoint.siblingEndpointArns()) {
      acknowledgeWildcard(
        invokerPolicy,
        { resource: arn },
        "DescribeEndpoint only: the sweeper asks whether an endpoint of this stack that an update replaced (named <stack endpoint prefix>-<instance type>, so unknown at synth) still exists before it resubmits that endpoint's requests to the current one.",
      );
    }
    for (const [fn, prefixes, what] of objectReasons) {
      const policy = fn.role!.node.findChild('DefaultPolicy').node.defaultChild!;
      for (const prefix of prefixes) {
        acknowledgeWildcard(
          policy,
          { resource: documents.objectsArn(prefix) },
          `The ${fn.node.id.toLowerCase()} ${what}, under generated or user-chosen names; scoped to the ${DOCUMENT_PREFIXES[prefix]} prefix.`,
        );
      }
    }
    for (const fn of [this.invoker, this.recorder]) {
      acknowledgeWildcard(
        fn.role!.node.findChild('DefaultPolicy').node.defaultChild!,
        { resource: '*' },
        'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) does not support resource-level permissions.',
      );
    }
  }
}
