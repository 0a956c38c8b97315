import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Namespace of the endpoint and async queue metrics. */
export const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';
/** Namespace of the per-instance utilization metrics. */
export const INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';

/**
 * ⚠ The async "processed" metric is spelled `InvocationsProcesssed` (three s) in every AWS
 * page, and `InvocationsProcessed` by one third-party source that says the docs misspell it.
 * We read both and add them up, so whichever one CloudWatch really publishes is counted.
 * Check with `aws cloudwatch list-metrics --namespace AWS/SageMaker` and drop the other.
 */
export const INVOCATIONS_PROCESSED_METRIC_NAMES = ['InvocationsProcesssed', 'InvocationsProcessed'] as const;

/**
 * The async queue metrics carry only the `EndpointName` dimension; adding `VariantName`
 * yields a metric that never receives data.
 */
export const QUEUE_METRICS = [
  'ApproximateBacklogSize',
  'ApproximateBacklogSizePerInstance',
  'ApproximateAgeOfOldestRequest',
  'HasBacklogWithoutCapacity',
] as const;
export type QueueMetric = (typeof QUEUE_METRICS)[number];

/** Async metrics published per variant (`EndpointName` + `VariantName`). */
export const VARIANT_METRICS = [
  'InvocationFailures',
  'ExpiredRequests',
  'RequestDownloadFailures',
  'ResponseUploadFailures',
  'NotificationFailures',
  'TimeInBacklog',
  'TotalProcessingTime',
  'ModelLatency',
  'Invocation4XXErrors',
  'Invocation5XXErrors',
  ...INVOCATIONS_PROCESSED_METRIC_NAMES,
] as const;
export type VariantMetric = (typeof VARIANT_METRICS)[number];

/** Host metrics, one datapoint per instance per minute. */
export const INSTANCE_METRICS = [
  'CPUUtilization',
  'MemoryUtilization',
  'GPUUtilization',
  'GPUMemoryUtilization',
  'DiskUtilization',
] as const;
export type InstanceMetric = (typeof INSTANCE_METRICS)[number];

/**
 * Builds the CloudWatch metrics of one async endpoint variant with the right namespace and
 * dimension set for each metric. Shared by the endpoint construct's `metricX()` methods.
 */
export class AsyncEndpointMetricFactory {
  constructor(
    private readonly endpointName: string,
    private readonly variantName: string,
  ) {}

  public queue(metricName: QueueMetric, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: SAGEMAKER_NAMESPACE,
      metricName,
      dimensionsMap: { EndpointName: this.endpointName },
      statistic: cloudwatch.Stats.AVERAGE,
      period: Duration.minutes(1),
      ...props,
    });
  }

  public variant(metricName: VariantMetric, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: SAGEMAKER_NAMESPACE,
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: this.variantName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      ...props,
    });
  }

  public instance(metricName: InstanceMetric, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: INSTANCE_NAMESPACE,
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: this.variantName },
      statistic: cloudwatch.Stats.AVERAGE,
      period: Duration.minutes(1),
      ...props,
    });
  }
}
