import { DEFAULT_ASSUMPTIONS, ServiceAssumptions } from '../../planner/inputs';
import type { ScalingPolicy } from '../../planner/policy';

/** The shipped assumptions' numbers (480 s cold start, 6 s / 14 s service, the g5 price), overridable per test. */
export function plannerAssumptions(overrides: Partial<ServiceAssumptions> = {}): ServiceAssumptions {
  return {
    ...DEFAULT_ASSUMPTIONS,
    instanceStartupSeconds: 480,
    serviceSecondsPerRequest: { distribution: 'lognormal', median: 6, p95: 14 },
    hourlyPriceUsd: { 'ml.g5.xlarge': 1.408 },
    ...overrides,
  };
}

/** A 0-5 instance ml.g5.xlarge endpoint with target tracking at 5 (cooldowns 120 s), concurrency 2; tests add the rest. */
export function plannerPolicy(overrides: Partial<ScalingPolicy> = {}): ScalingPolicy {
  return {
    name: 'synthesized',
    instanceType: 'ml.g5.xlarge',
    minCapacity: 0,
    maxCapacity: 5,
    concurrencyPerInstance: 2,
    workersPerInstance: 1,
    invocationTimeoutSeconds: 900,
    targetTracking: { targetValue: 5, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 120 },
    ...overrides,
  };
}
