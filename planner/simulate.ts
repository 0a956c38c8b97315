import { MinHeap } from './heap';
import type { ServiceAssumptions } from './inputs';
import type { ScalingPolicy } from './policy';
import { lognormalSampler, seededRandom } from './random';

/** One metric period of the run, as CloudWatch would have graphed it. */
export interface TimelinePoint {
  readonly t: number;
  /** Requests queued or in progress at the end of the period. */
  readonly backlog: number;
  readonly runningInstances: number;
  readonly startingInstances: number;
  readonly desiredCapacity: number;
  readonly completions: number;
  /** The period's ApproximateBacklogSizePerInstance datapoint (Average). */
  readonly backlogPerInstance: number;
  /** The period's HasBacklogWithoutCapacity datapoint (Average). */
  readonly hasBacklogWithoutCapacity: number;
}

export interface SimulationResult {
  readonly policy: ScalingPolicy;
  readonly arrivals: readonly number[];
  /** End-to-end seconds (arrival → result) of each completed request. */
  readonly latencies: number[];
  readonly completed: number;
  /** Reached the invocation timeout while being processed. */
  readonly timedOut: number;
  /** Waited in the queue past the request TTL. */
  readonly expired: number;
  /** Still queued or in progress at the horizon. */
  readonly unfinished: number;
  readonly firstScaleOutAt?: number;
  readonly firstResultAt?: number;
  readonly lastResultAt?: number;
  readonly instanceSeconds: number;
  /** Seconds of model work done (service time), for the lower bound. */
  readonly workSeconds: number;
  readonly timeline: TimelinePoint[];
  readonly minDesired: number;
  readonly maxDesired: number;
  /** Scaling decisions (time, from, to, why), for tests and debugging. */
  readonly decisions: Array<{ t: number; from: number; to: number; by: 'target-tracking' | 'step' }>;
}

const enum Kind {
  Done = 0,
  Ready = 1,
  Arrival = 2,
  Tick = 3,
}
interface Event {
  readonly t: number;
  readonly kind: Kind;
  readonly a: number;
  readonly b: number;
}

interface Instance {
  readyAt: number;
  busy: number;
  /** Scaled in while busy: stops when its last request finishes. */
  draining: boolean;
  startedAt: number;
  stoppedAt?: number;
}

/**
 * Discrete-event simulation of one policy against one arrival sequence. Events are request
 * arrivals and completions, instances becoming ready, and metric-period ticks at which
 * CloudWatch datapoints are formed and the scaling alarms evaluated.
 *
 * Modelled as AWS documents it: a FIFO queue inside SageMaker; each running instance works on up
 * to `concurrencyPerInstance` requests; queue metrics are time-averaged per period;
 * `HasBacklogWithoutCapacity` is 1 while requests wait and no instance is in service; the step
 * alarm is evaluated exactly as synthesized (M of N datapoints against the threshold);
 * cooldowns gate each policy's next action; capacity stays within [min, max].
 * Assumed where AWS is silent (see ServiceAssumptions): target-tracking alarm shapes, that
 * backlog-per-instance divides by in-service instances (the backlog itself at zero), that target
 * tracking sizes to ceil(capacity × metric / target) (ceil(metric / target) from zero), and that
 * scale-in stops starting and idle instances first and lets busy ones finish.
 */
export function simulate(policy: ScalingPolicy, arrivals: readonly number[], assumptions: ServiceAssumptions, horizonSeconds: number, seed: number): SimulationResult {
  const random = seededRandom(seed);
  const serviceTime = lognormalSampler(assumptions.serviceSecondsPerRequest.median, assumptions.serviceSecondsPerRequest.p95, random);
  const period = assumptions.metricPeriodSeconds;
  const events = new MinHeap<Event>((x, y) => x.t < y.t || (x.t === y.t && x.kind < y.kind));
  const instances: Instance[] = [];
  const queue: number[] = [];
  let head = 0;
  let inFlight = 0;
  let t = 0;

  const latencies: number[] = [];
  let completed = 0;
  let timedOut = 0;
  let expired = 0;
  let workSeconds = 0;
  let firstScaleOutAt: number | undefined;
  let firstResultAt: number | undefined;
  let lastResultAt: number | undefined;
  const decisions: SimulationResult['decisions'] = [];
  const timeline: TimelinePoint[] = [];
  let completionsThisPeriod = 0;

  // Time integrals for the period averages CloudWatch reports.
  let lastT = 0;
  let perInstanceIntegral = 0;
  let withoutCapacityIntegral = 0;
  const running = () => instances.reduce((n, i) => n + (i.stoppedAt === undefined && !i.draining && i.readyAt <= t ? 1 : 0), 0);
  const active = () => instances.filter((i) => i.stoppedAt === undefined && !i.draining);
  const accumulate = () => {
    const dt = t - lastT;
    if (dt > 0) {
      const backlog = queue.length - head + inFlight;
      const inService = running();
      perInstanceIntegral += (inService > 0 ? backlog / inService : backlog) * dt;
      withoutCapacityIntegral += (queue.length - head > 0 && inService === 0 ? 1 : 0) * dt;
    }
    lastT = t;
  };

  let desired = policy.fixedInstances ?? policy.minCapacity;
  let minDesired = desired;
  let maxDesired = desired;
  const startInstance = (readyAt: number) => {
    const index = instances.push({ readyAt, busy: 0, draining: false, startedAt: t }) - 1;
    events.push({ t: readyAt, kind: Kind.Ready, a: index, b: 0 });
  };
  for (let i = 0; i < desired; i++) startInstance(policy.fixedInstances !== undefined ? 0 : assumptions.instanceStartupSeconds);

  const setDesired = (to: number, by: 'target-tracking' | 'step') => {
    const bounded = Math.min(policy.maxCapacity, Math.max(policy.minCapacity, to));
    if (bounded === desired) return;
    decisions.push({ t, from: desired, to: bounded, by });
    if (bounded > desired && firstScaleOutAt === undefined) firstScaleOutAt = t;
    desired = bounded;
    minDesired = Math.min(minDesired, desired);
    maxDesired = Math.max(maxDesired, desired);
    const current = active();
    for (let i = current.length; i < desired; i++) startInstance(t + assumptions.instanceStartupSeconds);
    // Scale in: instances still starting first, then idle ones, then busy ones (which drain).
    const victims = current
      .slice()
      .sort((x, y) => Number(x.readyAt <= t) - Number(y.readyAt <= t) || x.busy - y.busy)
      .slice(0, Math.max(0, current.length - desired));
    for (const v of victims) {
      if (v.busy === 0) v.stoppedAt = t;
      else v.draining = true;
    }
  };

  const dispatch = () => {
    for (let index = 0; index < instances.length && head < queue.length; index++) {
      const instance = instances[index];
      if (instance.stoppedAt !== undefined || instance.draining || instance.readyAt > t) continue;
      while (instance.busy < policy.concurrencyPerInstance && head < queue.length) {
        const request = queue[head++];
        const service = serviceTime();
        const runFor = Math.min(service, policy.invocationTimeoutSeconds);
        instance.busy++;
        inFlight++;
        workSeconds += runFor;
        events.push({ t: t + runFor, kind: Kind.Done, a: index, b: service > policy.invocationTimeoutSeconds ? -request - 1 : request });
      }
    }
  };

  arrivals.forEach((at, i) => events.push({ t: at, kind: Kind.Arrival, a: i, b: 0 }));
  for (let tick = period; tick <= horizonSeconds; tick += period) events.push({ t: tick, kind: Kind.Tick, a: 0, b: 0 });

  const stepHistory: number[] = [];
  const trackingHistory: number[] = [];
  let stepInAlarm = false;
  let lastStepAction = -Infinity;
  let lastScaleOut = -Infinity;
  let lastScaleIn = -Infinity;
  const breaches = (value: number, threshold: number, comparison: string) =>
    comparison === 'GreaterThanOrEqualToThreshold' ? value >= threshold : comparison === 'GreaterThanThreshold' ? value > threshold : comparison === 'LessThanThreshold' ? value < threshold : value <= threshold;

  for (let event = events.pop(); event && event.t <= horizonSeconds; event = events.pop()) {
    t = event.t;
    accumulate();
    switch (event.kind) {
      case Kind.Arrival:
        queue.push(event.a);
        dispatch();
        break;
      case Kind.Ready:
        dispatch();
        break;
      case Kind.Done: {
        const instance = instances[event.a];
        instance.busy--;
        inFlight--;
        if (event.b < 0) timedOut++;
        else {
          completed++;
          completionsThisPeriod++;
          latencies.push(t - arrivals[event.b]);
          firstResultAt ??= t;
          lastResultAt = t;
        }
        if (instance.draining && instance.busy === 0) instance.stoppedAt = t;
        dispatch();
        break;
      }
      case Kind.Tick: {
        // Requests that waited past their TTL leave the queue (FIFO: the oldest are at the head).
        while (head < queue.length && t - arrivals[queue[head]] > assumptions.requestTtlSeconds) {
          head++;
          expired++;
        }
        const perInstanceAverage = perInstanceIntegral / period;
        const withoutCapacityAverage = withoutCapacityIntegral / period;
        perInstanceIntegral = withoutCapacityIntegral = 0;

        if (policy.fixedInstances === undefined) {
          const step = policy.stepScaling;
          if (step && t % step.alarm.periodSeconds === 0) {
            stepHistory.push(withoutCapacityAverage);
            const window = stepHistory.slice(-step.alarm.evaluationPeriods);
            const inAlarm = window.length >= step.alarm.datapointsToAlarm && window.filter((v) => breaches(v, step.alarm.threshold, step.alarm.comparison)).length >= step.alarm.datapointsToAlarm;
            const invoke = inAlarm && (!stepInAlarm || assumptions.stepPolicyReinvokedWhileInAlarm);
            stepInAlarm = inAlarm;
            if (invoke && t - lastStepAction >= step.cooldownSeconds) {
              lastStepAction = t;
              setDesired(desired + step.adjustment, 'step');
            }
          }
          const tracking = policy.targetTracking;
          if (tracking) {
            const alarms = assumptions.targetTrackingAlarms;
            trackingHistory.push(perInstanceAverage);
            const high = trackingHistory.slice(-alarms.scaleOutDatapoints);
            const low = trackingHistory.slice(-alarms.scaleInDatapoints);
            const wanted = (metric: number) => Math.ceil(desired === 0 ? metric / tracking.targetValue : (desired * metric) / tracking.targetValue);
            if (high.length === alarms.scaleOutDatapoints && high.every((v) => v > tracking.targetValue) && t - lastScaleOut >= tracking.scaleOutCooldownSeconds) {
              const to = wanted(perInstanceAverage);
              if (to > desired) {
                lastScaleOut = t;
                setDesired(to, 'target-tracking');
              }
            } else if (
              low.length === alarms.scaleInDatapoints &&
              low.every((v) => v < tracking.targetValue * alarms.scaleInThresholdFraction) &&
              t - lastScaleIn >= tracking.scaleInCooldownSeconds &&
              t - lastScaleOut >= tracking.scaleOutCooldownSeconds
            ) {
              const to = wanted(perInstanceAverage);
              if (to < desired) {
                lastScaleIn = t;
                setDesired(to, 'target-tracking');
              }
            }
          }
        }
        timeline.push({
          t,
          backlog: queue.length - head + inFlight,
          runningInstances: running(),
          startingInstances: instances.filter((i) => i.stoppedAt === undefined && !i.draining && i.readyAt > t).length,
          desiredCapacity: desired,
          completions: completionsThisPeriod,
          backlogPerInstance: perInstanceAverage,
          hasBacklogWithoutCapacity: withoutCapacityAverage,
        });
        completionsThisPeriod = 0;
        break;
      }
    }
  }

  t = horizonSeconds;
  const instanceSeconds = instances.reduce((s, i) => s + Math.max(0, (i.stoppedAt ?? horizonSeconds) - i.startedAt), 0);
  return {
    policy,
    arrivals,
    latencies,
    completed,
    timedOut,
    expired,
    unfinished: arrivals.length - completed - timedOut - expired,
    firstScaleOutAt,
    firstResultAt,
    lastResultAt,
    instanceSeconds,
    workSeconds,
    timeline,
    minDesired,
    maxDesired,
    decisions,
  };
}
