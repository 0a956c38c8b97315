import * as fs from 'fs';
import type { WakeSizing } from '../common/wake-sizing';
import type { ModelSourceKind } from './inputs';

/** The scaling behaviour under test, as deployed (read from a template) or as a named alternative. */
export interface ScalingPolicy {
  readonly name: string;
  readonly instanceType: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Requests SageMaker sends one instance at a time (MaxConcurrentInvocationsPerInstance). */
  readonly concurrencyPerInstance: number;
  /**
   * Requests one instance's model server works on at once (SAGEMAKER_MODEL_SERVER_WORKERS; unset,
   * the model server starts one worker per GPU: 1 on the single-GPU types this app uses).
   */
  readonly workersPerInstance: number;
  readonly invocationTimeoutSeconds: number;
  readonly targetTracking?: { readonly targetValue: number; readonly scaleInCooldownSeconds: number; readonly scaleOutCooldownSeconds: number };
  readonly stepScaling?: {
    readonly adjustment: number;
    readonly cooldownSeconds: number;
    readonly alarm: AlarmShape & { readonly comparison: string; readonly statistic: string };
  };
  /** Sets zero instances once `ApproximateBacklogSize` (period Maximum) stays below the threshold. */
  readonly idleScaleIn?: AlarmShape & { readonly cooldownSeconds: number };
  /**
   * The pipeline's invoker wakes the endpoint when it submits work to it at zero, sized by the
   * requests waiting (`WAKE_*` in its environment; lambda/invoker/wake.ts, common/wake-sizing.ts).
   */
  readonly wakeOnSubmit?: WakeSizing;
  /**
   * The wake check: an alarm on `HasBacklogWithoutCapacity` (Maximum) that invokes the invoker,
   * which wakes the endpoint (sized as `wakeOnSubmit`) if no instance is asked for. Lambda alarm
   * actions run once per change into ALARM, not again while it lasts.
   */
  readonly wakeCheck?: AlarmShape;
  /** Where instances load the model from (the cold start differs). @default 'hub' */
  readonly modelSource?: ModelSourceKind;
  /** An always-on endpoint: this many instances, running from the start, never scaled. */
  readonly fixedInstances?: number;
}

export interface AlarmShape {
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a synthesized template is untyped JSON; shapes are checked where read
type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

function only<T>(items: T[], what: string, file: string): T {
  if (items.length !== 1) throw new Error(`${file}: expected exactly one ${what}, found ${items.length}. Is this a summarizer template?`);
  return items[0];
}

/** Period statistics the simulator forms datapoints with. */
const SIMULATED_STATISTICS = ['Average', 'Maximum'];

/** Application Auto Scaling's default cooldown when a policy sets none. */
const DEFAULT_COOLDOWN_SECONDS = 300;

/**
 * Reads the scaling policy exactly as synthesized: the scalable target, the target-tracking and
 * step policies, the step policy's alarm, the variant's instance type and concurrency, and the
 * invocation timeout output.
 */
export function readPolicyFromTemplate(file: string): ScalingPolicy {
  let template: { Resources?: Resources; Outputs?: Record<string, { Value: unknown }> };
  try {
    template = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the synthesized template ${file} (${(e as Error).message}); run npx cdk synth first, or pass --template`);
  }
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);

  const [, target] = only(ofType('AWS::ApplicationAutoScaling::ScalableTarget'), 'scalable target', file);
  const [, config] = only(ofType('AWS::SageMaker::EndpointConfig'), 'endpoint config', file);
  const [, model] = only(ofType('AWS::SageMaker::Model'), 'model', file);
  const workers = Number(model.Properties?.PrimaryContainer?.Environment?.SAGEMAKER_MODEL_SERVER_WORKERS ?? 1);
  const variant = config.Properties!.ProductionVariants[0];
  const policies = ofType('AWS::ApplicationAutoScaling::ScalingPolicy');

  const tracking = policies.find(([, p]) => p.Properties!.PolicyType === 'TargetTrackingScaling')?.[1].Properties!.TargetTrackingScalingPolicyConfiguration;
  const stepPolicies = policies.filter(([, p]) => p.Properties!.PolicyType === 'StepScaling');
  const alarmFor = (policyId: string, what: string) =>
    only(
      ofType('AWS::CloudWatch::Alarm').filter(([, a]) => (a.Properties!.AlarmActions ?? []).some((x: { Ref?: string }) => x.Ref === policyId)),
      what,
      file,
    )[1].Properties!;
  const shape = (a: Record<string, number>): AlarmShape => ({
    periodSeconds: a.Period,
    evaluationPeriods: a.EvaluationPeriods,
    datapointsToAlarm: a.DatapointsToAlarm ?? a.EvaluationPeriods,
    threshold: a.Threshold,
  });
  let stepScaling: ScalingPolicy['stepScaling'];
  let idleScaleIn: ScalingPolicy['idleScaleIn'];
  for (const [id, p] of stepPolicies) {
    const cfg = p.Properties!.StepScalingPolicyConfiguration;
    const cooldownSeconds = cfg.Cooldown ?? DEFAULT_COOLDOWN_SECONDS;
    if (cfg.AdjustmentType === 'ExactCapacity') {
      const a = alarmFor(id, 'alarm driving the idle scale-in policy');
      if (a.Statistic !== 'Maximum' || a.ComparisonOperator !== 'LessThanThreshold') {
        throw new Error(`${file}: the idle scale-in alarm uses ${a.Statistic} ${a.ComparisonOperator}; the planner simulates only Maximum LessThanThreshold (as this app synthesizes it)`);
      }
      idleScaleIn = { ...shape(a), cooldownSeconds };
    } else {
      const a = alarmFor(id, 'alarm driving the step policy');
      if (!SIMULATED_STATISTICS.includes(a.Statistic)) {
        throw new Error(`${file}: the wake alarm's statistic is ${JSON.stringify(a.Statistic)}; the planner simulates ${SIMULATED_STATISTICS.join(' or ')}`);
      }
      stepScaling = { adjustment: cfg.StepAdjustments[0].ScalingAdjustment, cooldownSeconds, alarm: { ...shape(a), comparison: a.ComparisonOperator, statistic: a.Statistic } };
    }
  }
  const timeout = Number(template.Outputs?.InvocationTimeoutSeconds?.Value ?? 900);
  const [invokerId, invoker] = ofType('AWS::Lambda::Function').find(([, f]) => typeof f.Properties?.Environment?.Variables?.WAKE_VARIANT_NAME === 'string') ?? [];
  const invokerEnv = invoker?.Properties?.Environment?.Variables;
  const wakeCheckAlarm = invokerId
    ? ofType('AWS::CloudWatch::Alarm').find(([, a]) => (a.Properties!.AlarmActions ?? []).some((x: { 'Fn::GetAtt'?: string[] }) => x['Fn::GetAtt']?.[0] === invokerId))?.[1].Properties
    : undefined;
  if (wakeCheckAlarm && (wakeCheckAlarm.MetricName !== 'HasBacklogWithoutCapacity' || wakeCheckAlarm.Statistic !== 'Maximum')) {
    throw new Error(`${file}: the wake check alarm watches ${wakeCheckAlarm.Statistic} ${wakeCheckAlarm.MetricName}; the planner simulates only HasBacklogWithoutCapacity Maximum (as this app synthesizes it)`);
  }
  const wakeOnSubmit: WakeSizing | undefined = invokerEnv && {
    backlogPerInstance: Number(invokerEnv.WAKE_BACKLOG_PER_INSTANCE),
    maxInstances: Number(invokerEnv.WAKE_MAX_INSTANCES),
  };
  if (wakeOnSubmit && !(wakeOnSubmit.backlogPerInstance > 0 && wakeOnSubmit.maxInstances >= 1)) {
    throw new Error(`${file}: the invoker wakes the endpoint but its WAKE_BACKLOG_PER_INSTANCE / WAKE_MAX_INSTANCES are ${JSON.stringify(invokerEnv.WAKE_BACKLOG_PER_INSTANCE)} / ${JSON.stringify(invokerEnv.WAKE_MAX_INSTANCES)}`);
  }
  const maxCapacity = target.Properties!.MaxCapacity;
  if (!(Number.isInteger(maxCapacity) && maxCapacity >= 1)) {
    throw new Error(`${file}: the scalable target's MaxCapacity is ${JSON.stringify(maxCapacity)}: no instance could ever serve a request, so there is nothing to plan (the app's maxCapacity is at least 1)`);
  }
  return {
    name: 'synthesized',
    instanceType: variant.InstanceType,
    minCapacity: target.Properties!.MinCapacity,
    maxCapacity: target.Properties!.MaxCapacity,
    concurrencyPerInstance: config.Properties!.AsyncInferenceConfig?.ClientConfig?.MaxConcurrentInvocationsPerInstance ?? 1,
    workersPerInstance: Number.isInteger(workers) && workers > 0 ? workers : 1,
    invocationTimeoutSeconds: timeout,
    targetTracking: tracking && {
      targetValue: tracking.TargetValue,
      scaleInCooldownSeconds: tracking.ScaleInCooldown ?? DEFAULT_COOLDOWN_SECONDS,
      scaleOutCooldownSeconds: tracking.ScaleOutCooldown ?? DEFAULT_COOLDOWN_SECONDS,
    },
    stepScaling,
    idleScaleIn,
    wakeOnSubmit,
    wakeCheck: wakeCheckAlarm && shape(wakeCheckAlarm),
    // A Hub model is downloaded by the container (HF_MODEL_ID); otherwise SageMaker copies it from S3.
    modelSource: model.Properties?.PrimaryContainer?.Environment?.HF_MODEL_ID === undefined ? 's3' : 'hub',
  };
}

/**
 * The reference blog's policy, pinned to the blog's own values whatever ours are: 0-5 instances,
 * concurrency 2 with the model server's default single worker, target tracking only (target 5,
 * cooldowns 120/120), no wake-from-zero step.
 */
export function blogPolicy(base: ScalingPolicy): ScalingPolicy {
  return {
    name: 'blog',
    modelSource: 'hub',
    instanceType: base.instanceType,
    invocationTimeoutSeconds: base.invocationTimeoutSeconds,
    minCapacity: 0,
    maxCapacity: 5,
    concurrencyPerInstance: 2,
    workersPerInstance: 1,
    targetTracking: { targetValue: 5, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 120 },
  };
}

/** An endpoint that never scales: `maxCapacity` instances all the time. */
export function alwaysOnPolicy(base: ScalingPolicy): ScalingPolicy {
  return { ...base, name: 'always-on', targetTracking: undefined, stepScaling: undefined, wakeOnSubmit: undefined, wakeCheck: undefined, fixedInstances: base.maxCapacity, minCapacity: base.maxCapacity };
}
