import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AsyncInferenceEndpoint } from './async-inference-endpoint';

export const SCALABLE_DIMENSION = 'sagemaker:variant:DesiredInstanceCount';

/**
 * Shape of the alarm that wakes an endpoint at zero instances, as in the AWS async
 * auto scaling guide: `HasBacklogWithoutCapacity` ≥ 1 for 2 of 2 one-minute periods.
 */
export const SCALE_FROM_ZERO_ALARM = {
  periodSeconds: 60,
  evaluationPeriods: 2,
  datapointsToAlarm: 2,
  threshold: 1,
} as const;

export interface EndpointAutoScalingProps {
  readonly endpoint: AsyncInferenceEndpoint;
  /** Fewest instances; 0 lets the endpoint scale to zero when idle. */
  readonly minCapacity: number;
  /** Most instances. */
  readonly maxCapacity: number;
  /** `ApproximateBacklogSizePerInstance` to hold. */
  readonly targetBacklogPerInstance: number;
  /**
   * @default Duration.seconds(300)
   */
  readonly scaleInCooldown?: Duration;
  /**
   * Cooldown after a target-tracking scale-out.
   *
   * @default Duration.seconds(300)
   */
  readonly scaleOutCooldown?: Duration;
  /**
   * Cooldown of the scale-from-zero step policy. Its alarm stays in ALARM until the first
   * instance is in service, and CloudWatch re-invokes the policy while it does, so anything
   * shorter than a cold start adds an instance per cooldown for a single waiting request.
   *
   * @default Duration.minutes(10)
   */
  readonly scaleFromZeroCooldown?: Duration;
  /**
   * Add the step-scaling policy that starts one instance as soon as requests wait at zero
   * instances. Without it, target tracking only wakes the endpoint once the backlog exceeds
   * the target value (and with fewer requests than that, never).
   *
   * @default true
   */
  readonly scaleOutFromZero?: boolean;
}

/**
 * Auto scaling of the endpoint's instance count, down to zero and back.
 *
 * Written with the L1 resources: the L2 `ScalableTarget` always passes a newly created IAM role
 * that has no permissions, while leaving `RoleARN` out lets Application Auto Scaling use (and
 * create if needed) its SageMaker service-linked role.
 */
export class EndpointAutoScaling extends Construct {
  public readonly scalableTarget: appscaling.CfnScalableTarget;
  public readonly targetTrackingPolicy: appscaling.CfnScalingPolicy;
  public readonly scaleFromZeroPolicy?: appscaling.CfnScalingPolicy;
  public readonly scaleFromZeroAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EndpointAutoScalingProps) {
    super(scope, id);
    const { endpoint } = props;
    const scaleOutCooldown = (props.scaleOutCooldown ?? Duration.seconds(300)).toSeconds();

    this.scalableTarget = new appscaling.CfnScalableTarget(this, 'Target', {
      serviceNamespace: 'sagemaker',
      // Built from the endpoint's name attribute, so CloudFormation registers the target only
      // after the endpoint exists and deregisters it before the endpoint is deleted.
      resourceId: endpoint.scalingResourceId,
      scalableDimension: SCALABLE_DIMENSION,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
    });

    this.targetTrackingPolicy = new appscaling.CfnScalingPolicy(this, 'BacklogTracking', {
      policyName: 'BacklogPerInstanceTracking',
      policyType: 'TargetTrackingScaling',
      scalingTargetId: this.scalableTarget.ref,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.targetBacklogPerInstance,
        scaleInCooldown: (props.scaleInCooldown ?? Duration.seconds(300)).toSeconds(),
        scaleOutCooldown,
        customizedMetricSpecification: {
          namespace: 'AWS/SageMaker',
          metricName: 'ApproximateBacklogSizePerInstance',
          dimensions: [{ name: 'EndpointName', value: endpoint.endpointName }],
          statistic: 'Average',
        },
      },
    });

    if (props.scaleOutFromZero ?? true) {
      const policy = new appscaling.CfnScalingPolicy(this, 'ScaleFromZero', {
        policyName: 'HasBacklogWithoutCapacity-ScaleFromZero',
        policyType: 'StepScaling',
        scalingTargetId: this.scalableTarget.ref,
        stepScalingPolicyConfiguration: {
          adjustmentType: 'ChangeInCapacity',
          metricAggregationType: 'Average',
          cooldown: (props.scaleFromZeroCooldown ?? Duration.minutes(10)).toSeconds(),
          stepAdjustments: [{ metricIntervalLowerBound: 0, scalingAdjustment: 1 }],
        },
      });
      // The Application Auto Scaling service role may only manage `TargetTracking*` alarms, so
      // the alarm behind the step policy is ours to create.
      const alarm = new cloudwatch.Alarm(this, 'ScaleFromZeroAlarm', {
        alarmDescription:
          'Requests are waiting and the endpoint has no instance: starts one (step scaling). Not an operator alarm.',
        metric: endpoint.metricHasBacklogWithoutCapacity({
          period: Duration.seconds(SCALE_FROM_ZERO_ALARM.periodSeconds),
          statistic: cloudwatch.Stats.AVERAGE,
        }),
        evaluationPeriods: SCALE_FROM_ZERO_ALARM.evaluationPeriods,
        datapointsToAlarm: SCALE_FROM_ZERO_ALARM.datapointsToAlarm,
        threshold: SCALE_FROM_ZERO_ALARM.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      });
      alarm.addAlarmAction({ bind: () => ({ alarmActionArn: policy.ref }) });
      this.scaleFromZeroPolicy = policy;
      this.scaleFromZeroAlarm = alarm;
    }
  }
}
