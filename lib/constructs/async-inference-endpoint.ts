import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { InferenceResponseTopic } from '../config/schema';
import { acknowledgeNist } from '../nag';
import { AsyncEndpointMetricFactory, INVOCATIONS_PROCESSED_METRIC_NAMES } from './async-endpoint-metrics';
import { DocumentStore } from './document-store';
import { EndpointLogGroup } from './endpoint-log-group';
import { LogSettings } from './handler-function';
import { SummarizationModel } from './summarization-model';

/** Name of the one production variant; also part of the auto scaling resource id. */
export const VARIANT_NAME = 'AllTraffic';

/**
 * ⚠ Instance families whose local NVMe instance storage SageMaker encrypts in hardware, and for
 * which `CreateEndpointConfig` fails when a volume `KmsKeyId` is given. Taken from the EC2
 * instance-store families that SageMaker hosts; use `volumeKmsEncryption=always|never` to
 * override the guess for a family not listed here.
 */
export const INSTANCE_STORAGE_FAMILIES = [
  'c5d', 'c6id', 'g4dn', 'g5', 'g6', 'g6e', 'm5d', 'm6id', 'p3dn', 'p4d', 'p4de', 'p5', 'p5e', 'p5en',
  'r5d', 'r6id', 'trn1', 'trn1n',
];

/** Whether an `ml.<family>.<size>` instance type has local NVMe instance storage. */
export function hasInstanceStorage(instanceType: string): boolean {
  return INSTANCE_STORAGE_FAMILIES.includes(instanceType.split('.')[1]);
}

export interface AsyncInferenceEndpointProps {
  readonly model: SummarizationModel;
  /** Bucket whose `output/` and `failure/` prefixes receive results. */
  readonly documents: DocumentStore;
  readonly successTopic: sns.ITopic;
  readonly errorTopic: sns.ITopic;
  /** SageMaker instance type, such as `ml.g5.xlarge`. */
  readonly instanceType: string;
  /**
   * Instances started when the endpoint is created (SageMaker requires at least 1; auto scaling
   * takes it down to its minimum afterwards).
   *
   * @default 1
   */
  readonly initialInstanceCount?: number;
  /**
   * Requests SageMaker hands to one instance at a time.
   *
   * @default - SageMaker chooses
   */
  readonly maxConcurrentInvocationsPerInstance?: number;
  /**
   * Which notifications carry the inference response inline (responses up to 128 KB).
   *
   * @default - none
   */
  readonly includeInferenceResponseIn?: readonly InferenceResponseTopic[];
  /**
   * Key for the ML storage volume. Must be undefined for instance types with local NVMe
   * storage, which SageMaker encrypts in hardware.
   *
   * @default - AWS-managed encryption of the volume
   */
  readonly volumeEncryptionKey?: kms.IKey;
  /**
   * Time for a new instance to download the model and pass its first health check.
   *
   * @default - SageMaker's default
   */
  readonly containerStartupTimeoutSeconds?: number;
  /**
   * Prefix of the endpoint's physical name; the instance type completes it
   * (`<prefix>-ml-g5-xlarge`). The name, and the endpoint's logical ID, change with the instance
   * type, so that changing it creates a new endpoint (and scalable target) instead of updating
   * one that is registered with Application Auto Scaling, which SageMaker refuses.
   */
  readonly namePrefix: string;
  /**
   * The endpoint's own log group (`/aws/sagemaker/Endpoints/<name>`): its key and retention, and
   * where the function that creates or adopts it logs (EndpointLogGroup). It exists before the
   * endpoint, so SageMaker writes into it rather than creating one itself (unencrypted, never
   * expiring).
   */
  readonly logs: LogSettings;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** `ml.g5.xlarge` → `ml-g5-xlarge`, as an endpoint name allows. */
export const instanceSlug = (instanceType: string) => instanceType.replace(/[^a-zA-Z0-9]+/g, '-');
/** `ml.g5.xlarge` → `MlG5Xlarge`, for a logical ID. */
const instancePascal = (instanceType: string) =>
  instanceType
    .split(/[^a-zA-Z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

export { endpointLogGroupName } from './endpoint-log-group';

/**
 * An asynchronous SageMaker endpoint: requests queue inside SageMaker, results go to S3 and
 * notifications to SNS. One production variant; no physical names, so configuration changes
 * replace the endpoint config and update the endpoint in place.
 */
export class AsyncInferenceEndpoint extends Construct {
  public readonly endpoint: sagemaker.CfnEndpoint;
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  public readonly endpointName: string;
  public readonly endpointArn: string;
  public readonly variantName = VARIANT_NAME;
  public readonly logGroup: EndpointLogGroup;
  /** The endpoint's name as a plain string (known at synth, unlike `endpointName`). */
  public readonly physicalName: string;
  /** What every endpoint of this construct is named after: `<namePrefix>-<instance type>`. */
  public readonly namePrefix: string;
  private readonly documents: DocumentStore;
  private readonly metrics: AsyncEndpointMetricFactory;

  constructor(scope: Construct, id: string, props: AsyncInferenceEndpointProps) {
    super(scope, id);
    this.documents = props.documents;
    if (props.volumeEncryptionKey && hasInstanceStorage(props.instanceType)) {
      throw new Error(
        `instanceType "${props.instanceType}" has local NVMe storage, which SageMaker encrypts in hardware; ` +
          'CreateEndpointConfig refuses a volume KMS key for it. Leave volumeEncryptionKey unset.',
      );
    }

    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'Config', {
      kmsKeyId: props.volumeEncryptionKey?.keyArn,
      productionVariants: [
        {
          variantName: VARIANT_NAME,
          modelName: props.model.model.attrModelName,
          instanceType: props.instanceType,
          initialInstanceCount: props.initialInstanceCount ?? 1,
          initialVariantWeight: 1,
          containerStartupHealthCheckTimeoutInSeconds: props.containerStartupTimeoutSeconds,
        },
      ],
      asyncInferenceConfig: {
        clientConfig:
          props.maxConcurrentInvocationsPerInstance === undefined
            ? undefined
            : { maxConcurrentInvocationsPerInstance: props.maxConcurrentInvocationsPerInstance },
        outputConfig: {
          s3OutputPath: props.documents.s3Url('output'),
          s3FailurePath: props.documents.s3Url('failure'),
          kmsKeyId: props.documents.encryptionKey.keyArn,
          notificationConfig: {
            successTopic: props.successTopic.topicArn,
            errorTopic: props.errorTopic.topicArn,
            includeInferenceResponseIn:
              props.includeInferenceResponseIn && props.includeInferenceResponseIn.length > 0
                ? [...props.includeInferenceResponseIn]
                : undefined,
          },
        },
      },
    });
    if (!props.volumeEncryptionKey) {
      const reason = hasInstanceStorage(props.instanceType)
        ? `${props.instanceType} has local NVMe instance storage, which SageMaker encrypts in hardware and for which it refuses a volume KMS key.`
        : 'Volume KMS encryption was turned off with volumeKmsEncryption=never; async results in S3 are still encrypted with the app key.';
      Validations.of(this.endpointConfig).acknowledge({ id: 'AwsSolutions-SM2', reason });
      acknowledgeNist(this.endpointConfig, 'SageMakerEndpointConfigurationKMSKeyConfigured', reason);
    }

    this.namePrefix = props.namePrefix;
    const name = `${props.namePrefix}-${instanceSlug(props.instanceType)}`;
    this.physicalName = name;
    if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(name)) {
      throw new Error(`endpoint name "${name}" is not a valid SageMaker endpoint name (at most 63 letters, digits and hyphens)`);
    }
    this.logGroup = new EndpointLogGroup(this, 'Logs', {
      endpointName: name,
      namePrefix: props.namePrefix,
      logs: props.logs,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.endpoint = new sagemaker.CfnEndpoint(this, 'Resource', {
      endpointName: name,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      // Without this an update (new model, new config) resets the variant to its initial
      // instance count, undoing what auto scaling decided — typically starting a GPU at zero.
      retainAllVariantProperties: true,
    });
    // A new instance type is a new endpoint (see namePrefix): CloudFormation creates it and its
    // scalable target, moves every reference over, and deletes the old ones at clean-up.
    this.endpoint.overrideLogicalId(`Endpoint${instancePascal(props.instanceType)}`);
    this.endpoint.node.addDependency(this.logGroup);
    this.endpointName = this.endpoint.attrEndpointName;
    this.endpointArn = this.endpoint.ref;
    this.metrics = new AsyncEndpointMetricFactory(this.endpointName, VARIANT_NAME);
  }

  /**
   * Everything a client needs to submit work and collect results: upload to `input/`,
   * `sagemaker:InvokeEndpointAsync` on this endpoint (which `InvokeEndpoint` grants do not
   * cover), and read `output/` and `failure/`.
   */
  public grantInvokeAsync(grantee: iam.IGrantable): iam.Grant {
    this.documents.grantWriteObjects(grantee, 'input');
    this.documents.grantReadObjects(grantee, 'output', 'failure');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpointAsync'],
      resourceArns: [this.endpointArn],
    });
  }

  /**
   * Reading the endpoint and setting its instance count (`sagemaker:DescribeEndpoint`,
   * `sagemaker:UpdateEndpointWeightsAndCapacities`) on this endpoint only: what Application Auto
   * Scaling's SageMaker role does, for a client that wakes the endpoint itself.
   */
  public grantSetCapacity(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities'],
      resourceArns: [this.endpointArn],
    });
  }

  /**
   * `sagemaker:DescribeEndpoint` on every endpoint this construct may have created under its
   * name prefix (one per instance type, `<namePrefix>-<instance type>`), so a client can tell
   * whether an endpoint an update replaced still exists. ⚠ SageMaker puts resource names in
   * ARNs in lower case (the ARNs CloudFormation returns are lower case); both spellings are
   * listed in case a name is matched as written.
   */
  public grantDescribeSiblings(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:DescribeEndpoint'], resourceArns: this.siblingEndpointArns() });
  }

  /** `endpoint/<namePrefix>-*`: this construct's endpoints of every instance type (see grantDescribeSiblings). */
  public siblingEndpointArns(): string[] {
    const prefixes = [...new Set([this.namePrefix.toLowerCase(), this.namePrefix])];
    return prefixes.map((name) => Stack.of(this).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: `${name}-*` }));
  }

  /** Requests queued or in progress. @default - average over 1 minute */
  public metricApproximateBacklogSize(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.queue('ApproximateBacklogSize', props);
  }

  /** Backlog divided by instances: the auto scaling metric. @default - average over 1 minute */
  public metricApproximateBacklogSizePerInstance(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.queue('ApproximateBacklogSizePerInstance', props);
  }

  /** Age of the oldest queued request, in seconds. @default - average over 1 minute */
  public metricApproximateAgeOfOldestRequest(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.queue('ApproximateAgeOfOldestRequest', props);
  }

  /** 1 while requests wait and no instance runs, else 0. @default - average over 1 minute */
  public metricHasBacklogWithoutCapacity(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.queue('HasBacklogWithoutCapacity', props);
  }

  /**
   * Requests processed, whichever spelling CloudWatch publishes (see
   * `INVOCATIONS_PROCESSED_METRIC_NAMES`). @default - sum over 5 minutes
   */
  public metricInvocationsProcessed(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    const [documented, alternative] = INVOCATIONS_PROCESSED_METRIC_NAMES;
    return new cloudwatch.MathExpression({
      expression: 'FILL(documented, 0) + FILL(alternative, 0)',
      usingMetrics: {
        documented: this.metrics.variant(documented, { period: props?.period }),
        alternative: this.metrics.variant(alternative, { period: props?.period }),
      },
      label: 'Processed',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Requests that failed for any reason. @default - sum over 5 minutes */
  public metricInvocationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.variant('InvocationFailures', props);
  }

  /** Requests that reached their TTL in the queue. @default - sum over 5 minutes */
  public metricExpiredRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.variant('ExpiredRequests', props);
  }

  /** Failures downloading a request payload from S3. @default - sum over 5 minutes */
  public metricRequestDownloadFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.variant('RequestDownloadFailures', props);
  }

  /** Failures uploading a response to S3. @default - sum over 5 minutes */
  public metricResponseUploadFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.variant('ResponseUploadFailures', props);
  }

  /** Failures publishing a notification to SNS. @default - sum over 5 minutes */
  public metricNotificationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.variant('NotificationFailures', props);
  }

  /** Time queued before processing, in milliseconds. @default - average over 5 minutes */
  public metricTimeInBacklog(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.variant('TimeInBacklog', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /** Receipt to finished processing, in milliseconds. @default - average over 5 minutes */
  public metricTotalProcessingTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.variant('TotalProcessingTime', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /** Model response time, in microseconds. @default - average over 5 minutes */
  public metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.variant('ModelLatency', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /**
   * Running instances: the SampleCount of `CPUUtilization` (each instance reports once a
   * minute). @default - sample count over 1 minute
   */
  public metricInstanceCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.instance('CPUUtilization', {
      statistic: cloudwatch.Stats.SAMPLE_COUNT,
      label: 'Instances',
      ...props,
    });
  }

  /** CPU utilization, summed over cores (0–100% per vCPU). @default - average over 1 minute */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.instance('CPUUtilization', props);
  }

  /** Memory utilization (0–100%). @default - average over 1 minute */
  public metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.instance('MemoryUtilization', props);
  }

  /** GPU utilization (0–100% per GPU). @default - average over 1 minute */
  public metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.instance('GPUUtilization', props);
  }

  /** GPU memory utilization (0–100% per GPU). @default - average over 1 minute */
  public metricGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.instance('GPUMemoryUtilization', props);
  }

  /** Disk utilization (0–100%). @default - average over 1 minute */
  public metricDiskUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.instance('DiskUtilization', props);
  }

  /** `endpoint/<name>/variant/<variant>`, the Application Auto Scaling resource id. */
  public get scalingResourceId(): string {
    return `endpoint/${this.endpointName}/variant/${VARIANT_NAME}`;
  }
}
