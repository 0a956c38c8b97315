import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AsyncInferenceEndpoint } from './async-inference-endpoint';

export const SCALABLE_DIMENSION = 'sagemaker:variant:DesiredInstanceCount';

/**
 * Shape of the alarm that wakes an endpoint at zero instances. The AWS async auto scaling guide
 * uses the Average of `HasBacklogWithoutCapacity` ≥ 1 for 2 of 2 one-minute periods: a request in
 * the first second of a minute is seen after 120 s, one a second later after ~179 s (the first
 * minute's average is below 1). The Maximum over one period decides at the end of the minute the
 * request arrived in, whatever the second: "MetricAggregationType … Average | Minimum | Maximum"
 * (Application Auto Scaling API, StepScalingPolicyConfiguration), and the metric takes Average,
 * Max and Min (SageMaker async monitoring guide). A second evaluation is not needed for safety:
 * the policy's cooldown and the endpoint's update lock already stop a second instance for the
 * same request.
 */
export const SCALE_FROM_ZERO_ALARM = {
  periodSeconds: 60,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  threshold: 1,
  statistic: 'Maximum',
} as const;

/**
 * ⚠ Minutes the wake alarm waits when the invoker wakes the endpoint itself (`wakeOnSubmit`), so
 * that it fires only when that wake did not happen. Requests wait with no instance in service
 * from their arrival until the woken instance is in service: a cold start of up to 10 minutes
 * (the HF async notebook reports 7-9; AWS documents none) gives at most 11 one-minute Maximum
 * datapoints of 1. A twelfth means no instance is coming. Were the alarm the 1-minute one, it
 * would add a second instance to the invoker's, which Application Auto Scaling cannot know about
 * (an out-of-band change starts no cooldown).
 */
export const WAKE_BACKSTOP_MINUTES = 12;

/**
 * Shape of the alarm that scales an idle endpoint to zero: `ApproximateBacklogSize` ("items in
 * the queue for an endpoint that are currently being processed or yet to be processed", SageMaker
 * async monitoring guide) has a Maximum of 0 in every one of the last `idleScaleInMinutes`
 * one-minute periods, so no request is queued or in flight. Target tracking alone waits for 15
 * low datapoints and then for its scale-in cooldown. Threshold 0.5 with LessThanThreshold rather
 * than ≤ 0: the breach delta is then -0.5, strictly inside the step's (-∞, 0] interval.
 */
export const IDLE_SCALE_IN_ALARM = {
  periodSeconds: 60,
  threshold: 0.5,
  statistic: 'Maximum',
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
  /**
   * Something else wakes the endpoint as soon as work arrives (the pipeline's invoker): the wake
   * alarm becomes a backstop that starts an instance only after requests have waited
   * `WAKE_BACKSTOP_MINUTES` with none in service.
   *
   * @default false
   */
  readonly scaleFromZeroBackstopOnly?: boolean;
  /**
   * Minutes with nothing queued or in flight after which a step policy sets the endpoint to zero
   * instances; 0 leaves scale-in to target tracking alone. Only when `minCapacity` is 0.
   *
   * @default 0
   */
  readonly idleScaleInMinutes?: number;
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
  public readonly idleScaleInPolicy?: appscaling.CfnScalingPolicy;
  public readonly idleScaleInAlarm?: cloudwatch.Alarm;

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
      const periods = props.scaleFromZeroBackstopOnly ? WAKE_BACKSTOP_MINUTES : SCALE_FROM_ZERO_ALARM.evaluationPeriods;
      const wake = this.alarmDrivenStepPolicy('ScaleFromZero', 'HasBacklogWithoutCapacity-ScaleFromZero', {
        adjustmentType: 'ChangeInCapacity',
        metricAggregationType: SCALE_FROM_ZERO_ALARM.statistic,
        cooldown: (props.scaleFromZeroCooldown ?? Duration.minutes(10)).toSeconds(),
        stepAdjustments: [{ metricIntervalLowerBound: 0, scalingAdjustment: 1 }],
      }, {
        alarmDescription: props.scaleFromZeroBackstopOnly
          ? `Requests have waited ${WAKE_BACKSTOP_MINUTES} minutes with no instance in service, so the invoker's wake did not happen: starts one (step scaling). Not an operator alarm.`
          : 'Requests are waiting and the endpoint has no instance: starts one (step scaling). Not an operator alarm.',
        metric: endpoint.metricHasBacklogWithoutCapacity({
          period: Duration.seconds(SCALE_FROM_ZERO_ALARM.periodSeconds),
          statistic: SCALE_FROM_ZERO_ALARM.statistic,
        }),
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        threshold: SCALE_FROM_ZERO_ALARM.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      this.scaleFromZeroPolicy = wake.policy;
      this.scaleFromZeroAlarm = wake.alarm;
    }

    const idleMinutes = props.idleScaleInMinutes ?? 0;
    if (idleMinutes > 0 && props.minCapacity === 0) {
      const idle = this.alarmDrivenStepPolicy('IdleScaleIn', 'IdleBacklog-ScaleToZero', {
        adjustmentType: 'ExactCapacity',
        metricAggregationType: IDLE_SCALE_IN_ALARM.statistic,
        // Re-invoked every minute while the endpoint stays idle; nothing to wait for in between.
        cooldown: IDLE_SCALE_IN_ALARM.periodSeconds,
        stepAdjustments: [{ metricIntervalUpperBound: 0, scalingAdjustment: 0 }],
      }, {
        alarmDescription: `Nothing queued or in flight for ${idleMinutes} minutes: sets the endpoint to zero instances (step scaling). Not an operator alarm.`,
        metric: endpoint.metricApproximateBacklogSize({
          period: Duration.seconds(IDLE_SCALE_IN_ALARM.periodSeconds),
          statistic: IDLE_SCALE_IN_ALARM.statistic,
        }),
        evaluationPeriods: idleMinutes,
        datapointsToAlarm: idleMinutes,
        threshold: IDLE_SCALE_IN_ALARM.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      });
      this.idleScaleInPolicy = idle.policy;
      this.idleScaleInAlarm = idle.alarm;
    }
  }

  /**
   * A step policy and the alarm that invokes it. The Application Auto Scaling service role may
   * only manage `TargetTracking*` alarms, so the alarm behind a step policy is ours to create.
   * Missing data keeps the alarm's state: no datapoint is no evidence either way.
   */
  private alarmDrivenStepPolicy(
    id: string,
    policyName: string,
    step: appscaling.CfnScalingPolicy.StepScalingPolicyConfigurationProperty,
    alarmProps: Omit<cloudwatch.AlarmProps, 'treatMissingData'>,
  ): { policy: appscaling.CfnScalingPolicy; alarm: cloudwatch.Alarm } {
    const policy = new appscaling.CfnScalingPolicy(this, id, {
      policyName,
      policyType: 'StepScaling',
      scalingTargetId: this.scalableTarget.ref,
      stepScalingPolicyConfiguration: step,
    });
    const alarm = new cloudwatch.Alarm(this, `${id}Alarm`, { ...alarmProps, treatMissingData: cloudwatch.TreatMissingData.MISSING });
    alarm.addAlarmAction({ bind: () => ({ alarmActionArn: policy.ref }) });
    return { policy, alarm };
  }
}
