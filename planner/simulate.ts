import { instancesToWake } from '../common/wake-sizing';
import { MinHeap } from './heap';
import { instanceStartupSecondsFor, type ServiceAssumptions, workerSlowdown } from './inputs';
import type { AlarmShape, ScalingPolicy } from './policy';

/** One metric period of the run, as CloudWatch would have graphed it. */
export interface TimelinePoint {
  readonly t: number;
  /** Requests queued or in progress at the end of the period. */
  readonly backlog: number;
  readonly runningInstances: number;
  /** Instances started (and billed) but not yet in service. */
  readonly startingInstances: number;
  readonly desiredCapacity: number;
  readonly completions: number;
  /** The period's ApproximateBacklogSizePerInstance datapoint (Average). */
  readonly backlogPerInstance: number;
  /** The period's HasBacklogWithoutCapacity datapoint (Average). */
  readonly hasBacklogWithoutCapacity: number;
}

export type DecisionSource = 'target-tracking' | 'step' | 'idle' | 'wake';

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
  /** When the first instance came into service (0 for an always-on endpoint). */
  readonly firstInServiceAt?: number;
  readonly firstResultAt?: number;
  readonly lastResultAt?: number;
  readonly instanceSeconds: number;
  /** Seconds of model work done (service time), for the lower bound. */
  readonly workSeconds: number;
  readonly timeline: TimelinePoint[];
  readonly minDesired: number;
  readonly maxDesired: number;
  /** Scaling decisions (time, from, to, why), for tests and debugging. */
  readonly decisions: Array<{ t: number; from: number; to: number; by: DecisionSource }>;
  /** Capacity changes refused because the endpoint was still updating from the previous one. */
  readonly blocked: Array<{ t: number; to: number; by: DecisionSource }>;
}

/** More datapoints than any alarm of the app evaluates (evaluation periods are at most 120). */
const MAX_ALARM_PERIODS = 1440;

/** A capacity change one policy would make at this evaluation; `applied` records its cooldown if it wins. */
interface Proposal {
  readonly to: number;
  readonly by: DecisionSource;
  readonly applied: () => void;
}

const enum Kind {
  Done = 0,
  Ready = 1,
  Arrival = 2,
  Wake = 3,
  Tick = 4,
  WakeCount = 5,
}
interface Event {
  readonly t: number;
  readonly kind: Kind;
  readonly a: number;
  readonly b: number;
}

interface Instance {
  readonly id: number;
  readyAt: number;
  startedAt: number;
  stoppedAt?: number;
  /** Requests SageMaker has sent it (≤ concurrencyPerInstance): processing or waiting inside. */
  accepted: number;
  /** Requests its model-server workers are processing (≤ workersPerInstance). */
  processing: number;
  /** Requests sent to it that wait for a free worker (the model server's own queue). */
  waiting: number[];
  /** Scaled in while busy: stops when its last request finishes. */
  draining: boolean;
}

/**
 * Discrete-event simulation of one policy against one arrival sequence, linear in requests and
 * instances. Events are request arrivals and completions, instances becoming ready, and
 * metric-period ticks at which CloudWatch datapoints are formed and the scaling alarms evaluated.
 *
 * Modelled as AWS documents it: a FIFO queue inside SageMaker; each instance is sent up to
 * `concurrencyPerInstance` requests (MaxConcurrentInvocationsPerInstance) and its model server
 * works on `workersPerInstance` of them at once (the rest wait inside the instance); queue
 * metrics are time-averaged per period (or the period's Maximum, where an alarm asks for it);
 * `HasBacklogWithoutCapacity` is 1 while requests wait and no instance is in service;
 * `ApproximateBacklogSize` counts requests queued or in flight; both step alarms (wake from zero,
 * idle scale-in) are evaluated exactly as synthesized (statistic, M of N datapoints against the
 * threshold); when policies act in the same minute the larger capacity wins; target tracking's cooldowns follow the Application Auto
 * Scaling rules (a larger scale-out proceeds during a scale-out cooldown; a scale-out ends a
 * scale-in cooldown, not the reverse); capacity stays within [min, max].
 * Assumed where AWS is silent (ServiceAssumptions, each overridable): target-tracking alarm
 * shapes, the delay before a datapoint reaches its alarm, that a capacity change is refused
 * while the endpoint is still updating from the last one (instances starting), that
 * backlog-per-instance divides by in-service instances (the backlog itself at zero), that target
 * tracking sizes to ceil(capacity × metric / target) (ceil(metric / target) from zero), that
 * scale-in stops starting and idle instances first and lets busy ones finish, and that the
 * invoker's wake (`wakeOnSubmit`, after a submission, or from the wake check's alarm on its change
 * into ALARM) reaches SageMaker `wakeAfterSubmitSeconds` later.
 *
 * `serviceSeconds[i]` is request i's service time, the same whichever policy serves it (common
 * random numbers: differences between policies are the policies', not the dice's).
 */
export function simulate(
  policy: ScalingPolicy,
  arrivals: readonly number[],
  serviceSeconds: ArrayLike<number>,
  assumptions: ServiceAssumptions,
  horizonSeconds: number,
  options: { readonly skipIdle?: boolean } = {},
): SimulationResult {
  const period = assumptions.metricPeriodSeconds;
  const workers = Math.max(1, Math.min(policy.workersPerInstance, policy.concurrencyPerInstance));
  // Workers share the GPU: each request on a multi-worker instance runs this much slower (⚠ workerSpeedup).
  const slowdown = workerSlowdown(assumptions, workers);
  const events = new MinHeap<Event>((x, y) => x.t < y.t || (x.t === y.t && x.kind < y.kind));
  const instances: Instance[] = [];
  /** Instances not stopped (in service, starting or draining); stopped ones are pruned. */
  let live: Instance[] = [];
  /** In-service, non-draining instances with room for another request. */
  const available: Instance[] = [];
  const inAvailable = new Set<number>();
  const queue: number[] = [];
  let head = 0;
  let inFlight = 0;
  let inService = 0;
  let starting = 0;
  let t = 0;

  const latencies: number[] = [];
  let completed = 0;
  let timedOut = 0;
  let expired = 0;
  let workSeconds = 0;
  let instanceSeconds = 0;
  let firstScaleOutAt: number | undefined;
  let firstInServiceAt: number | undefined;
  let firstResultAt: number | undefined;
  let lastResultAt: number | undefined;
  const decisions: SimulationResult['decisions'] = [];
  const blocked: SimulationResult['blocked'] = [];
  const timeline: TimelinePoint[] = [];
  let completionsThisPeriod = 0;

  // Time integrals for the period averages CloudWatch reports.
  let lastT = 0;
  let perInstanceIntegral = 0;
  let withoutCapacityIntegral = 0;
  /** Period Maximums: whether requests waited with no instance at any moment, and the largest backlog. */
  let withoutCapacityMax = 0;
  let backlogMax = 0;
  const accumulate = () => {
    const dt = t - lastT;
    if (dt > 0) {
      const backlog = queue.length - head + inFlight;
      perInstanceIntegral += (inService > 0 ? backlog / inService : backlog) * dt;
      const withoutCapacity = queue.length - head > 0 && inService === 0 ? 1 : 0;
      withoutCapacityIntegral += withoutCapacity * dt;
      withoutCapacityMax = Math.max(withoutCapacityMax, withoutCapacity);
      backlogMax = Math.max(backlogMax, backlog);
    }
    lastT = t;
  };

  const stop = (instance: Instance) => {
    instance.stoppedAt = t;
    instanceSeconds += t - instance.startedAt;
  };
  const offer = (instance: Instance) => {
    if (instance.stoppedAt === undefined && !instance.draining && instance.readyAt <= t && instance.accepted < policy.concurrencyPerInstance && !inAvailable.has(instance.id)) {
      available.push(instance);
      inAvailable.add(instance.id);
    }
  };

  let desired = policy.fixedInstances ?? policy.minCapacity;
  const coldStart = instanceStartupSecondsFor(assumptions, policy.modelSource);
  let minDesired = desired;
  let maxDesired = desired;
  const startInstance = (readyAt: number) => {
    const instance: Instance = { id: instances.length, readyAt, startedAt: t, accepted: 0, processing: 0, waiting: [], draining: false };
    instances.push(instance);
    live.push(instance);
    starting++;
    events.push({ t: readyAt, kind: Kind.Ready, a: instance.id, b: 0 });
  };
  for (let i = 0; i < desired; i++) startInstance(policy.fixedInstances !== undefined ? 0 : coldStart);

  /** The endpoint is updating while instances it was asked for are still starting. */
  const updating = () => assumptions.updateBlocksScaling && starting > 0;

  /** Applies a capacity change; false when refused (the endpoint is still updating). */
  const setDesired = (to: number, by: DecisionSource): boolean => {
    const bounded = Math.min(policy.maxCapacity, Math.max(policy.minCapacity, to));
    if (bounded === desired) return false;
    if (updating()) {
      blocked.push({ t, to: bounded, by });
      return false;
    }
    decisions.push({ t, from: desired, to: bounded, by });
    if (bounded > desired && firstScaleOutAt === undefined) firstScaleOutAt = t;
    const current = live.filter((i) => !i.draining);
    desired = bounded;
    minDesired = Math.min(minDesired, desired);
    maxDesired = Math.max(maxDesired, desired);
    for (let i = current.length; i < desired; i++) startInstance(t + coldStart);
    // Scale in: instances still starting first (the furthest from ready first, so a scale-in never
    // throws away a nearly finished cold start), then idle ones, then busy ones (which drain).
    const victims = current
      .sort((x, y) => Number(x.readyAt <= t) - Number(y.readyAt <= t) || (x.readyAt > t ? y.readyAt - x.readyAt : x.accepted - y.accepted))
      .slice(0, Math.max(0, current.length - desired));
    for (const v of victims) {
      if (v.readyAt > t) starting--;
      else inService--;
      if (v.accepted === 0) stop(v);
      else v.draining = true;
    }
    if (victims.length > 0) live = live.filter((i) => i.stoppedAt === undefined);
    return true;
  };

  const begin = (instance: Instance, request: number) => {
    instance.processing++;
    const service = serviceSeconds[request] * slowdown;
    const runFor = Math.min(service, policy.invocationTimeoutSeconds);
    workSeconds += runFor;
    events.push({ t: t + runFor, kind: Kind.Done, a: instance.id, b: service > policy.invocationTimeoutSeconds ? -request - 1 : request });
  };
  const dispatch = () => {
    while (head < queue.length && available.length > 0) {
      const instance = available[available.length - 1];
      if (instance.stoppedAt !== undefined || instance.draining) {
        // Scaled in while it had room: removed lazily, here, rather than searched for at scale-in.
        available.pop();
        inAvailable.delete(instance.id);
        continue;
      }
      const request = queue[head++];
      instance.accepted++;
      inFlight++;
      if (instance.processing < workers) begin(instance, request);
      else instance.waiting.push(request);
      if (instance.accepted >= policy.concurrencyPerInstance) {
        available.pop();
        inAvailable.delete(instance.id);
      }
    }
  };

  // Arrivals are read in order beside the heap, not heaped: the heap then holds only what is in
  // flight (completions, cold starts, ticks), and memory no longer grows with the requests.
  for (let i = 1; i < arrivals.length; i++) {
    if (!(arrivals[i] >= arrivals[i - 1])) throw new Error(`arrivals must be sorted: ${arrivals[i]} s comes after ${arrivals[i - 1]} s`);
  }
  let nextArrival = 0;
  const nextEvent = (): Event | undefined => {
    const top = events.peek();
    const at = arrivals[nextArrival];
    if (nextArrival < arrivals.length && (top === undefined || at < top.t || (at === top.t && Kind.Arrival < top.kind))) {
      return { t: at, kind: Kind.Arrival, a: nextArrival++, b: 0 };
    }
    return events.pop();
  };
  // One tick in the heap at a time, the next pushed as each is processed: idle stretches are
  // skipped rather than ticked through (see the end of the Tick case), so a run costs what
  // happens in it, not the length of its horizon.
  const scheduleTick = (at: number) => {
    if (at <= horizonSeconds) events.push({ t: at, kind: Kind.Tick, a: 0, b: 0 });
  };
  scheduleTick(period);

  // Datapoint histories; a datapoint for the period ending at τ reaches its alarm at τ + delay.
  const stepHistory: number[] = [];
  const idleHistory: number[] = [];
  let lastIdleAction = -Infinity;
  const trackingHistory: number[] = [];
  const delayPeriods = Math.ceil(assumptions.metricDelaySeconds / period);
  /** The last `n` datapoints that have reached the alarm (fewer early on); O(n), not O(history). */
  const arrived = (history: number[], n: number) => {
    const end = Math.max(0, history.length - delayPeriods);
    return history.slice(Math.max(0, end - n), end);
  };
  /** M of N: at least `datapointsToAlarm` of the last `evaluationPeriods` arrived datapoints breach. */
  const alarmFires = (history: number[], shape: AlarmShape, breach: (v: number) => boolean) => {
    const window = arrived(history, shape.evaluationPeriods);
    return window.length >= shape.datapointsToAlarm && window.filter(breach).length >= shape.datapointsToAlarm;
  };
  let stepInAlarm = false;
  let wakePending = false;
  /**
   * The invoker's wake, in its order: it looks at the endpoint and counts the requests waiting
   * (`wakeCountAfterSubmitSeconds` after the submission), then asks for instances sized by that
   * count, which reach SageMaker `wakeAfterSubmitSeconds` after the submission. Requests arriving
   * between the count and the update are not in it.
   */
  const scheduleWake = () => {
    if (wakePending) return;
    wakePending = true;
    const countAt = t + Math.min(assumptions.wakeCountAfterSubmitSeconds, assumptions.wakeAfterSubmitSeconds);
    events.push({ t: countAt, kind: Kind.WakeCount, a: t + assumptions.wakeAfterSubmitSeconds, b: 0 });
  };
  const wakeCheckHistory: number[] = [];
  let wakeCheckInAlarm = false;
  let lastStepAction = -Infinity;
  let lastScaleOut = -Infinity;
  let capacityAfterLastScaleOut = 0;
  let lastScaleIn = -Infinity;
  /**
   * When the next tick is. Normally one period on; but with nothing queued, in flight or starting,
   * no wake pending and the capacity where no policy would change it (the minimum, or an always-on
   * endpoint's count), every datapoint until the next arrival is 0 and no alarm can act on it: the
   * run jumps to the last period boundary before that arrival, each alarm's history padded with
   * the zero datapoints it would have seen. With no arrival left, ticking stops.
   */
  const nextTick = (): number => {
    const next = t + period;
    const idle = head === queue.length && inFlight === 0 && starting === 0 && !wakePending && desired === (policy.fixedInstances ?? policy.minCapacity);
    if (!idle || options.skipIdle === false) return next;
    const nextWork = Math.min(nextArrival < arrivals.length ? arrivals[nextArrival] : Infinity, events.peek()?.t ?? Infinity);
    if (nextWork === Infinity) return Infinity;
    const boundary = Math.floor(nextWork / period) * period;
    if (boundary <= next) return next;
    const zeros = Math.min(Math.round((boundary - next) / period), MAX_ALARM_PERIODS);
    for (const history of [stepHistory, idleHistory, trackingHistory, wakeCheckHistory]) for (let k = 0; k < zeros; k++) history.push(0);
    stepInAlarm = false;
    wakeCheckInAlarm = false;
    return boundary;
  };
  const breaches = (value: number, threshold: number, comparison: string) =>
    comparison === 'GreaterThanOrEqualToThreshold' ? value >= threshold : comparison === 'GreaterThanThreshold' ? value > threshold : comparison === 'LessThanThreshold' ? value < threshold : value <= threshold;

  for (let event = nextEvent(); event && event.t <= horizonSeconds; event = nextEvent()) {
    t = event.t;
    accumulate();
    switch (event.kind) {
      case Kind.Arrival:
        queue.push(event.a);
        dispatch();
        // The invoker looks at the endpoint after submitting; at zero it wakes it.
        if (policy.wakeOnSubmit && desired === 0) scheduleWake();
        break;
      case Kind.WakeCount:
        // Counted now; the update (sized by this count) reaches SageMaker at the time it carries.
        events.push({ t: Math.max(t, event.a), kind: Kind.Wake, a: queue.length - head + inFlight, b: 0 });
        break;
      case Kind.Wake:
        wakePending = false;
        // An out-of-band change, so Application Auto Scaling starts no cooldown for it.
        if (desired === 0 && policy.wakeOnSubmit) setDesired(instancesToWake(event.a, policy.wakeOnSubmit), 'wake');
        break;
      case Kind.Ready: {
        const instance = instances[event.a];
        if (instance.stoppedAt !== undefined) break; // scaled in before it was ready
        starting--;
        inService++;
        firstInServiceAt ??= t;
        offer(instance);
        dispatch();
        break;
      }
      case Kind.Done: {
        const instance = instances[event.a];
        instance.processing--;
        instance.accepted--;
        inFlight--;
        if (event.b < 0) timedOut++;
        else {
          completed++;
          completionsThisPeriod++;
          latencies.push(t - arrivals[event.b]);
          firstResultAt ??= t;
          lastResultAt = t;
        }
        const next = instance.waiting.shift();
        if (next !== undefined) begin(instance, next);
        if (instance.draining && instance.accepted === 0) {
          stop(instance);
          live = live.filter((i) => i !== instance);
        }
        offer(instance);
        dispatch();
        break;
      }
      case Kind.Tick: {
        // Requests that waited past their TTL leave the queue (FIFO: the oldest are at the head).
        while (head < queue.length && t - arrivals[queue[head]] > assumptions.requestTtlSeconds) {
          head++;
          expired++;
        }
        if (head > 65_536 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        const perInstanceAverage = perInstanceIntegral / period;
        const withoutCapacityAverage = withoutCapacityIntegral / period;
        const withoutCapacityMaximum = withoutCapacityMax;
        const backlogMaximum = backlogMax;
        perInstanceIntegral = withoutCapacityIntegral = withoutCapacityMax = backlogMax = 0;
        const proposals: Proposal[] = [];

        if (policy.fixedInstances === undefined) {
          const step = policy.stepScaling;
          if (step && t % step.alarm.periodSeconds === 0) {
            stepHistory.push(step.alarm.statistic === 'Maximum' ? withoutCapacityMaximum : withoutCapacityAverage);
            const inAlarm = alarmFires(stepHistory, step.alarm, (v) => breaches(v, step.alarm.threshold, step.alarm.comparison));
            const invoke = inAlarm && (!stepInAlarm || assumptions.stepPolicyReinvokedWhileInAlarm);
            stepInAlarm = inAlarm;
            if (invoke && t - lastStepAction >= step.cooldownSeconds) proposals.push({ to: desired + step.adjustment, by: 'step', applied: () => (lastStepAction = t) });
          }
          const check = policy.wakeCheck;
          if (check && policy.wakeOnSubmit && t % check.periodSeconds === 0) {
            wakeCheckHistory.push(withoutCapacityMaximum);
            const inAlarm = alarmFires(wakeCheckHistory, check, (v) => v >= check.threshold);
            // A Lambda alarm action runs once, on the change into ALARM.
            if (inAlarm && !wakeCheckInAlarm && desired === 0) scheduleWake();
            wakeCheckInAlarm = inAlarm;
          }
          const tracking = policy.targetTracking;
          if (tracking) {
            const alarms = assumptions.targetTrackingAlarms;
            trackingHistory.push(perInstanceAverage);
            const high = arrived(trackingHistory, alarms.scaleOutDatapoints);
            const low = arrived(trackingHistory, alarms.scaleInDatapoints);
            const latest = high[high.length - 1] ?? 0;
            const wanted = (metric: number) => Math.ceil(desired === 0 ? metric / tracking.targetValue : (desired * metric) / tracking.targetValue);
            const inScaleOutCooldown = t - lastScaleOut < tracking.scaleOutCooldownSeconds;
            if (high.length === alarms.scaleOutDatapoints && high.every((v) => v > tracking.targetValue)) {
              const to = wanted(latest);
              // During a scale-out cooldown only a larger scale-out proceeds.
              if (to > desired && (!inScaleOutCooldown || to > capacityAfterLastScaleOut)) {
                proposals.push({
                  to,
                  by: 'target-tracking',
                  applied: () => {
                    lastScaleOut = t;
                    capacityAfterLastScaleOut = desired;
                    lastScaleIn = -Infinity; // a scale-out ends a scale-in cooldown
                  },
                });
              }
            } else if (
              low.length === alarms.scaleInDatapoints &&
              low.every((v) => v < tracking.targetValue * alarms.scaleInThresholdFraction) &&
              t - lastScaleIn >= tracking.scaleInCooldownSeconds &&
              !inScaleOutCooldown // …but a scale-in does not end a scale-out cooldown
            ) {
              const to = wanted(latest);
              if (to < desired) proposals.push({ to, by: 'target-tracking', applied: () => (lastScaleIn = t) });
            }
          }
          const idle = policy.idleScaleIn;
          if (idle && t % idle.periodSeconds === 0) {
            idleHistory.push(backlogMaximum);
            const inAlarm = alarmFires(idleHistory, idle, (v) => v < idle.threshold);
            if (inAlarm && desired > 0 && t - lastIdleAction >= idle.cooldownSeconds) proposals.push({ to: 0, by: 'idle', applied: () => (lastIdleAction = t) });
          }
          // Policies that act in the same evaluation: "Application Auto Scaling chooses the policy
          // that provides the largest capacity for both scale out and scale in" (Application Auto
          // Scaling User Guide, target tracking, "Multiple scaling policies"). Only the winner acts,
          // so only its cooldown starts.
          const winner = proposals.reduce<Proposal | undefined>((best, p) => (best === undefined || p.to > best.to ? p : best), undefined);
          if (winner && setDesired(winner.to, winner.by)) winner.applied();
        }
        timeline.push({
          t,
          backlog: queue.length - head + inFlight,
          runningInstances: inService,
          startingInstances: starting,
          desiredCapacity: desired,
          completions: completionsThisPeriod,
          backlogPerInstance: perInstanceAverage,
          hasBacklogWithoutCapacity: withoutCapacityAverage,
        });
        completionsThisPeriod = 0;
        scheduleTick(nextTick());
        break;
      }
    }
  }

  t = horizonSeconds;
  for (const instance of live) if (instance.stoppedAt === undefined) instanceSeconds += Math.max(0, horizonSeconds - instance.startedAt);
  return {
    policy,
    arrivals,
    latencies,
    completed,
    timedOut,
    expired,
    unfinished: arrivals.length - completed - timedOut - expired,
    firstScaleOutAt,
    firstInServiceAt,
    firstResultAt,
    lastResultAt,
    instanceSeconds,
    workSeconds,
    timeline,
    minDesired,
    maxDesired,
    decisions,
    blocked,
  };
}
