import { Capture, Match } from 'aws-cdk-lib/assertions';
import { WAKE_BACKSTOP_MINUTES } from '../../lib/constructs/endpoint-autoscaling';
import { buildTestApp, defaultTestApp, onlyResourceId, withinTheMinuteOnBacklogWithoutCapacity } from '../helpers/app';

const endpointName = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Endpoint'), 'EndpointName'] };

describe('scalable target', () => {
  test('the variant instance count, from zero to the maximum, with the service-linked role', () => {
    defaultTestApp().template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'sagemaker',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      ResourceId: { 'Fn::Join': ['', ['endpoint/', endpointName, '/variant/AllTraffic']] },
      MinCapacity: 0,
      MaxCapacity: 5,
      RoleARN: Match.absent(),
    });
  });

  test('min and max come from the configuration', () => {
    buildTestApp({ minCapacity: '1', maxCapacity: '12' }).template.hasResourceProperties(
      'AWS::ApplicationAutoScaling::ScalableTarget',
      { MinCapacity: 1, MaxCapacity: 12 },
    );
  });

  test('no IAM role is created for auto scaling', () => {
    const roles = defaultTestApp().template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'application-autoscaling.amazonaws.com' } }] } },
    });
    expect(Object.keys(roles)).toEqual([]);
  });
});

describe('target tracking on backlog per instance', () => {
  test('AWS/SageMaker ApproximateBacklogSizePerInstance, EndpointName only, Average, target and cooldowns', () => {
    const { template } = defaultTestApp();
    const targetId = onlyResourceId(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: targetId },
      TargetTrackingScalingPolicyConfiguration: Match.objectEquals({
        TargetValue: 5,
        ScaleInCooldown: 120,
        ScaleOutCooldown: 120,
        CustomizedMetricSpecification: {
          Namespace: 'AWS/SageMaker',
          MetricName: 'ApproximateBacklogSizePerInstance',
          Dimensions: [{ Name: 'EndpointName', Value: endpointName }],
          Statistic: 'Average',
        },
      }),
    });
  });

  test('target and cooldowns come from the configuration', () => {
    buildTestApp({ targetBacklogPerInstance: '2.5', scaleInCooldownSeconds: '600', scaleOutCooldownSeconds: '60' }).template.hasResourceProperties(
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 2.5, ScaleInCooldown: 600, ScaleOutCooldown: 60 }) },
    );
  });
});

describe('scale out from zero', () => {
  test('step policy: +1 instance when the alarm fires, maximum aggregation, a cooldown longer than a cold start', () => {
    const { template } = defaultTestApp();
    const targetId = onlyResourceId(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      ScalingTargetId: { Ref: targetId },
      StepScalingPolicyConfiguration: Match.objectEquals({
        AdjustmentType: 'ChangeInCapacity',
        MetricAggregationType: 'Maximum',
        Cooldown: 600,
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      }),
    });
  });

  test('our alarm on HasBacklogWithoutCapacity (EndpointName only) drives the step policy; without the invoker waking the endpoint, it decides within the minute', () => {
    const { template } = buildTestApp({ wakeOnSubmit: 'false' });
    const stepPolicyId = onlyResourceId(template, 'AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity' },
    });
    const actions = new Capture();
    // The minute's Maximum, 1 of 1: decided at the end of the minute the request arrived in, whatever its second.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', withinTheMinuteOnBacklogWithoutCapacity(endpointName, actions));
    expect(actions.asArray()).toEqual([{ Ref: stepPolicyId }]);
  });

  test('when the invoker wakes the endpoint itself (the default), the alarm is its backstop: 12 of 12 minutes, longer than a cold start, so it never adds a second instance to the invoker\'s', () => {
    const wakeAlarm = (context: Record<string, string>) =>
      Object.values(buildTestApp(context).template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'HasBacklogWithoutCapacity' } }))[0].Properties;
    expect(WAKE_BACKSTOP_MINUTES).toBe(12);
    expect(wakeAlarm({})).toMatchObject({
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 12,
      DatapointsToAlarm: 12,
      Threshold: 1,
      AlarmDescription: expect.stringMatching(/^Requests have waited 12 minutes with no instance in service/),
    });
    // No invoker (pipeline off), or an endpoint that never reaches zero: the alarm wakes it alone.
    for (const context of [{ pipeline: 'false' }, { wakeOnSubmit: 'false' }] as Array<Record<string, string>>) {
      expect(wakeAlarm(context)).toMatchObject({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    }
  });

  test('the scaling alarm does not page the operator (it fires on every cold start)', () => {
    const alarms = defaultTestApp().template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmActions: [{ Ref: Match.stringLikeRegexp('^AutoScalingScaleFromZero') }] },
    });
    const [alarm] = Object.values(alarms);
    expect(alarm.Properties.OKActions).toBeUndefined();
    expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  test('the step cooldown comes from scaleFromZeroCooldownSeconds', () => {
    buildTestApp({ scaleFromZeroCooldownSeconds: '900' }).template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ChangeInCapacity', Cooldown: 900 }),
    });
  });

  test('scaleOutFromZero=false: target tracking only, no step policy, no scaling alarm', () => {
    const { template } = buildTestApp({ scaleOutFromZero: 'false' });
    template.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', { StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity' } }, 0);
    template.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', { PolicyType: 'TargetTrackingScaling' }, 1);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('^Requests are waiting and the endpoint has no instance: starts one') }, 0);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateBacklogSize' }, 1); // the idle scale-in stays
  });
});

describe('idle scale-in to zero', () => {
  test('after 2 minutes with nothing queued or in flight (ApproximateBacklogSize Maximum < 0.5), a step policy sets exactly 0', () => {
    const { template } = defaultTestApp();
    const targetId = onlyResourceId(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    const policyId = onlyResourceId(template, 'AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      ScalingTargetId: { Ref: targetId },
      StepScalingPolicyConfiguration: Match.objectEquals({
        AdjustmentType: 'ExactCapacity',
        MetricAggregationType: 'Maximum',
        Cooldown: 60,
        // The alarm's breach delta is 0 - 0.5 = -0.5: inside (-∞, 0].
        StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 0 }],
      }),
    });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateBacklogSize' }, 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker',
      MetricName: 'ApproximateBacklogSize',
      Dimensions: [{ Name: 'EndpointName', Value: endpointName }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 0.5,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [{ Ref: policyId }],
      OKActions: Match.absent(),
    });
  });

  test('idleScaleInMinutes sets the quiet minutes; 0, or a minCapacity above 0, leaves scale-in to target tracking', () => {
    const idleAlarms = (context: Record<string, string>) =>
      Object.values(buildTestApp(context).template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateBacklogSize' } }));
    expect(idleAlarms({ idleScaleInMinutes: '10' })[0].Properties).toMatchObject({ EvaluationPeriods: 10, DatapointsToAlarm: 10 });
    expect(idleAlarms({ idleScaleInMinutes: '0' })).toHaveLength(0);
    expect(idleAlarms({ minCapacity: '1' })).toHaveLength(0);
  });
});
