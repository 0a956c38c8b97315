import * as fs from 'fs';
import { seededRandom } from './random';

/** A traffic scenario: bursts of arrivals over a horizon. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly horizonSeconds: number;
  readonly arrivals: ReadonlyArray<{
    readonly startSeconds: number;
    readonly endSeconds: number;
    readonly count: number;
    /** uniform: evenly spaced; poisson: uniformly random times (a Poisson process given its count). */
    readonly pattern: 'uniform' | 'poisson';
  }>;
}

/**
 * How AWS behaves where the documentation leaves room, as explicit, overridable numbers
 * (scenarios/service-assumptions.json). Prices are third-party figures for us-east-1.
 */
export interface ServiceAssumptions {
  readonly instanceStartupSeconds: number;
  readonly serviceSecondsPerRequest: { readonly distribution: 'lognormal'; readonly median: number; readonly p95: number };
  readonly metricPeriodSeconds: number;
  readonly targetTrackingAlarms: { readonly scaleOutDatapoints: number; readonly scaleInDatapoints: number; readonly scaleInThresholdFraction: number };
  readonly hourlyPriceUsd: Readonly<Record<string, number>>;
  /** Requests still queued this long after arrival expire (SageMaker's default RequestTTLSeconds). */
  readonly requestTtlSeconds: number;
  /** CloudWatch invokes a step policy again at each evaluation while its alarm stays in ALARM. */
  readonly stepPolicyReinvokedWhileInAlarm: boolean;
}

export const DEFAULT_ASSUMPTIONS: Omit<ServiceAssumptions, 'instanceStartupSeconds' | 'serviceSecondsPerRequest' | 'hourlyPriceUsd'> = {
  metricPeriodSeconds: 60,
  targetTrackingAlarms: { scaleOutDatapoints: 3, scaleInDatapoints: 15, scaleInThresholdFraction: 0.9 },
  requestTtlSeconds: 21600,
  stepPolicyReinvokedWhileInAlarm: true,
};

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return fail(file, `cannot read it as JSON (${(e as Error).message})`);
  }
}

export function loadScenario(file: string): Scenario {
  const s = readJson(file) as unknown as Scenario;
  if (typeof s.name !== 'string' || s.name === '') fail(file, '"name" must be a non-empty string');
  if (!positive(s.horizonSeconds)) fail(file, `"horizonSeconds" must be a positive number, got ${JSON.stringify(s.horizonSeconds)}`);
  if (!Array.isArray(s.arrivals) || s.arrivals.length === 0) fail(file, '"arrivals" must be a non-empty list');
  s.arrivals.forEach((a, i) => {
    if (!Number.isInteger(a.count) || a.count < 0) fail(file, `arrivals[${i}].count must be a whole number, got ${JSON.stringify(a.count)}`);
    if (!(a.startSeconds >= 0 && a.endSeconds >= a.startSeconds)) fail(file, `arrivals[${i}] needs 0 <= startSeconds <= endSeconds`);
    if (a.endSeconds > s.horizonSeconds) fail(file, `arrivals[${i}] ends after the horizon (${s.horizonSeconds} s)`);
    if (a.pattern !== 'uniform' && a.pattern !== 'poisson') fail(file, `arrivals[${i}].pattern must be "uniform" or "poisson", got ${JSON.stringify(a.pattern)}`);
  });
  return s;
}

export function loadAssumptions(file: string): ServiceAssumptions {
  const a = { ...DEFAULT_ASSUMPTIONS, ...readJson(file) } as ServiceAssumptions;
  if (!positive(a.instanceStartupSeconds)) fail(file, '"instanceStartupSeconds" must be a positive number');
  const s = a.serviceSecondsPerRequest;
  if (s?.distribution !== 'lognormal' || !positive(s.median) || !(s.p95 >= s.median)) {
    fail(file, '"serviceSecondsPerRequest" must be {"distribution": "lognormal", "median": m, "p95": p} with p >= m > 0');
  }
  if (!positive(a.metricPeriodSeconds)) fail(file, '"metricPeriodSeconds" must be a positive number');
  const t = a.targetTrackingAlarms;
  if (!(Number.isInteger(t?.scaleOutDatapoints) && t.scaleOutDatapoints > 0 && Number.isInteger(t.scaleInDatapoints) && t.scaleInDatapoints > 0 && t.scaleInThresholdFraction > 0 && t.scaleInThresholdFraction <= 1)) {
    fail(file, '"targetTrackingAlarms" needs whole scaleOutDatapoints and scaleInDatapoints > 0 and 0 < scaleInThresholdFraction <= 1');
  }
  return a;
}

/** Arrival times in seconds, sorted; `poisson` bursts use the seeded generator. */
export function arrivalTimes(scenario: Scenario, seed: number): number[] {
  const random = seededRandom(seed ^ 0x9e3779b9);
  const times: number[] = [];
  for (const a of scenario.arrivals) {
    const span = a.endSeconds - a.startSeconds;
    for (let i = 0; i < a.count; i++) {
      if (a.pattern === 'poisson') times.push(a.startSeconds + random() * span);
      else times.push(a.count === 1 ? a.startSeconds : a.startSeconds + (span * i) / (a.count - 1 || 1));
    }
  }
  return times.sort((x, y) => x - y);
}
