import * as fs from 'fs';
import { lognormalSampler, seededRandom } from './random';

/** A traffic scenario: bursts of arrivals over a horizon. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly horizonSeconds: number;
  /** Seconds every arrival is shifted by (0-59: where in the minute the traffic starts). */
  readonly phaseSeconds?: number;
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
  /**
   * Seconds from asking for an instance to its first request, for a Hub model: the cold start as
   * a whole. With `coldStart`, this is derived from it (`instanceStartupSecondsFor`).
   */
  readonly instanceStartupSeconds: number;
  /**
   * The cold start in parts, so a model loaded from S3 is planned as such. The planner reads
   * which source the template uses (`HF_MODEL_ID` in the model's environment: the Hub).
   */
  readonly coldStart?: {
    /**
     * ⚠ Provisioning the instance, pulling the inference image (about 10 GB) and starting the
     * model server, up to the point where the weights are fetched. AWS documents no figure.
     */
    readonly instanceAndImageSeconds: number;
    /** ⚠ Downloading the weights from the Hub at container start (`HF_MODEL_ID`), and loading them. */
    readonly modelFromHubSeconds: number;
    /** ⚠ SageMaker copying the staged weights from S3 in the region before the container starts, and loading them. */
    readonly modelFromS3Seconds: number;
  };
  readonly serviceSecondsPerRequest: { readonly distribution: 'lognormal'; readonly median: number; readonly p95: number };
  readonly metricPeriodSeconds: number;
  /**
   * ⚠ The alarms target tracking creates: scale out after `scaleOutDatapoints` datapoints above the
   * target, scale in after `scaleInDatapoints` below `scaleInThresholdFraction` of it (3 and 15
   * below 90% are what Application Auto Scaling creates for other services; not documented for
   * SageMaker's async metrics). At low traffic the scale-in shape decides how long an idle endpoint
   * stays up when no idle scale-in policy is deployed.
   */
  readonly targetTrackingAlarms: { readonly scaleOutDatapoints: number; readonly scaleInDatapoints: number; readonly scaleInThresholdFraction: number };
  readonly hourlyPriceUsd: Readonly<Record<string, number>>;
  /** Requests still queued this long after arrival expire (SageMaker's default RequestTTLSeconds). */
  readonly requestTtlSeconds: number;
  /** CloudWatch invokes a step policy again at each evaluation while its alarm stays in ALARM. */
  readonly stepPolicyReinvokedWhileInAlarm: boolean;
  /**
   * ⚠ Seconds from the end of a metric period until its datapoint reaches the alarm (publication
   * plus evaluation). AWS documents neither; 60 s is a conservative guess.
   */
  readonly metricDelaySeconds: number;
  /**
   * ⚠ SageMaker refuses a capacity change while the endpoint is still updating from the last one
   * (an instance starting): "the endpoint is being updated" errors are reported for
   * UpdateEndpointWeightsAndCapacities during an update. The action is retried at the next
   * evaluation.
   */
  readonly updateBlocksScaling: boolean;
  /**
   * ⚠ Seconds from a request's submission until the invoker's wake reaches SageMaker (one
   * DescribeEndpoint and one UpdateEndpointWeightsAndCapacities, right after InvokeEndpointAsync in
   * the same Lambda invocation). Not documented; a few API round trips.
   */
  readonly wakeAfterSubmitSeconds: number;
  /**
   * ⚠ Seconds from a submission until the invoker has counted the requests waiting (after one
   * DescribeEndpoint, before its update call): the wake is sized by the count at this moment.
   */
  readonly wakeCountAfterSubmitSeconds: number;
  /**
   * ⚠ Throughput of two model-server workers on one GPU relative to one worker. Two workers run
   * two requests at once, but share the GPU: 2.0 is linear (what the planner assumed before), 1.0
   * no gain at all. Each worker beyond the first adds `workerSpeedup − 1` of a worker. Neither AWS
   * nor Hugging Face publishes it for PEGASUS on an A10G; measure it on a real instance.
   */
  readonly workerSpeedup: number;
  /**
   * ⚠ Service time from document length, matching the model handler's map-reduce
   * (model/code/inference.py): tokens per request (lognormal) → windows → passes × seconds per
   * window. Absent: `serviceSecondsPerRequest` is used as it is.
   */
  readonly serviceFromTokens?: {
    readonly tokensPerRequest: { readonly median: number; readonly p95: number };
    readonly windowTokens: number;
    readonly overlapTokens: number;
    /** Tokens of each window summary, for the reduce passes. */
    readonly summaryTokens: number;
    /** ⚠ Seconds to generate one window's summary alone. */
    readonly secondsPerWindow: number;
    /** Windows generated together (the handler's `SUMMARIZER_BATCH_SIZE`). @default 1 */
    readonly batchSize?: number;
    /** ⚠ Seconds for one generation call of a full batch. @default secondsPerWindow × batchSize (no gain from batching) */
    readonly secondsPerBatch?: number;
    /** The handler's round limit (`SUMMARIZER_MAX_ROUNDS`): map rounds plus the final pass. @default 4 */
    readonly maxRounds?: number;
  };
}

/** Where a policy's instances load the model from: the Hub at container start, or S3 (staged, or an artifact). */
export type ModelSourceKind = 'hub' | 's3';

/** The cold start of an instance that loads its model from `source`. */
export function instanceStartupSecondsFor(assumptions: ServiceAssumptions, source: ModelSourceKind = 'hub'): number {
  const c = assumptions.coldStart;
  if (c === undefined) return assumptions.instanceStartupSeconds;
  return c.instanceAndImageSeconds + (source === 'hub' ? c.modelFromHubSeconds : c.modelFromS3Seconds);
}

export const DEFAULT_ASSUMPTIONS: Omit<ServiceAssumptions, 'instanceStartupSeconds' | 'serviceSecondsPerRequest' | 'hourlyPriceUsd'> = {
  metricPeriodSeconds: 60,
  targetTrackingAlarms: { scaleOutDatapoints: 3, scaleInDatapoints: 15, scaleInThresholdFraction: 0.9 },
  requestTtlSeconds: 21600,
  stepPolicyReinvokedWhileInAlarm: true,
  metricDelaySeconds: 60,
  updateBlocksScaling: true,
  wakeAfterSubmitSeconds: 5,
  wakeCountAfterSubmitSeconds: 0.5,
  workerSpeedup: 2,
};

/** Effective throughput of `workers` workers on one instance, in single-worker units. */
export function instanceThroughput(assumptions: Pick<ServiceAssumptions, 'workerSpeedup'>, workers: number): number {
  return 1 + (Math.max(1, workers) - 1) * ((assumptions.workerSpeedup ?? 2) - 1);
}

/**
 * How much longer one request takes on an instance running `workers` workers at once: they share
 * the GPU, so each goes at throughput ÷ workers of a lone worker's pace.
 */
export function workerSlowdown(assumptions: Pick<ServiceAssumptions, 'workerSpeedup'>, workers: number): number {
  return Math.max(1, workers) / instanceThroughput(assumptions, workers);
}

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

/**
 * The longest horizon the planner simulates: 10¹⁰ s, about 317 years. Idle time costs nothing
 * (the simulation skips it), but the timeline keeps a point per minute of activity and the numbers
 * would stop meaning anything long before.
 */
export const MAX_HORIZON_SECONDS = 1e10;
/** The most requests one scenario may generate (memory: a few numbers each). */
export const MAX_REQUESTS = 10_000_000;

const shown = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads a traffic scenario; every problem is one line naming the file, the field and the value
 * given (`scenarios/x.json: arrivals[2].startSeconds: got "600"; expected a number of seconds ≥ 0`).
 */
export function loadScenario(file: string): Scenario {
  const s = readJson(file) as Record<string, unknown>;
  const bad = (field: string, value: unknown, expected: string): never => fail(file, `${field}: got ${shown(value)}; expected ${expected}`);
  if (typeof s !== 'object' || s === null || Array.isArray(s)) fail(file, 'expected a JSON object with name, horizonSeconds and arrivals');
  if (typeof s.name !== 'string' || s.name.trim() === '') bad('name', s.name, 'a non-empty string');
  if (!isNumber(s.horizonSeconds) || s.horizonSeconds <= 0) bad('horizonSeconds', s.horizonSeconds, 'a number of seconds > 0');
  const horizon = s.horizonSeconds as number;
  if (horizon > MAX_HORIZON_SECONDS) bad('horizonSeconds', horizon, `at most ${MAX_HORIZON_SECONDS} (about 317 years: the planner's limit)`);
  if (s.phaseSeconds !== undefined && !(isNumber(s.phaseSeconds) && s.phaseSeconds >= 0 && s.phaseSeconds < 60)) bad('phaseSeconds', s.phaseSeconds, 'a number of seconds from 0 to below 60 (where in the minute the traffic starts)');
  if (!Array.isArray(s.arrivals) || s.arrivals.length === 0) bad('arrivals', s.arrivals, 'a non-empty list of bursts {startSeconds, endSeconds, count, pattern}');
  let requests = 0;
  (s.arrivals as unknown[]).forEach((raw, i) => {
    const field = (name: string) => `arrivals[${i}].${name}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(`arrivals[${i}]`, raw, 'a burst {startSeconds, endSeconds, count, pattern}');
    const a = raw as Record<string, unknown>;
    if (!isNumber(a.startSeconds) || a.startSeconds < 0) bad(field('startSeconds'), a.startSeconds, 'a number of seconds ≥ 0');
    if (!isNumber(a.endSeconds) || a.endSeconds < (a.startSeconds as number)) bad(field('endSeconds'), a.endSeconds, `a number of seconds ≥ startSeconds (${a.startSeconds})`);
    if ((a.endSeconds as number) > horizon) bad(field('endSeconds'), a.endSeconds, `at most the horizon (${horizon} s)`);
    if (!Number.isInteger(a.count) || (a.count as number) < 0) bad(field('count'), a.count, 'a whole number of requests ≥ 0');
    if (a.pattern !== 'uniform' && a.pattern !== 'poisson') bad(field('pattern'), a.pattern, '"uniform" or "poisson"');
    requests += a.count as number;
  });
  if (requests > MAX_REQUESTS) bad('arrivals', `${requests} requests in all`, `at most ${MAX_REQUESTS}`);
  return s as unknown as Scenario;
}

export function loadAssumptions(file: string): ServiceAssumptions {
  const raw = { ...DEFAULT_ASSUMPTIONS, ...readJson(file) } as ServiceAssumptions;
  const c = raw.coldStart;
  if (c !== undefined) {
    for (const part of ['instanceAndImageSeconds', 'modelFromHubSeconds', 'modelFromS3Seconds'] as const) {
      if (!(typeof c[part] === 'number' && Number.isFinite(c[part]) && c[part] >= 0)) fail(file, `"coldStart.${part}" must be a number >= 0, got ${JSON.stringify(c[part])}`);
    }
  }
  const a: ServiceAssumptions = c === undefined ? raw : { ...raw, instanceStartupSeconds: instanceStartupSecondsFor({ ...raw, coldStart: c }, 'hub') };
  if (!positive(a.instanceStartupSeconds)) fail(file, '"instanceStartupSeconds" (or "coldStart") must give a positive cold start');
  const s = a.serviceSecondsPerRequest;
  if (s?.distribution !== 'lognormal' || !positive(s.median) || !(s.p95 >= s.median)) {
    fail(file, '"serviceSecondsPerRequest" must be {"distribution": "lognormal", "median": m, "p95": p} with p >= m > 0');
  }
  if (!positive(a.metricPeriodSeconds)) fail(file, '"metricPeriodSeconds" must be a positive number');
  const t = a.targetTrackingAlarms;
  if (!(Number.isInteger(t?.scaleOutDatapoints) && t.scaleOutDatapoints > 0 && Number.isInteger(t.scaleInDatapoints) && t.scaleInDatapoints > 0 && t.scaleInThresholdFraction > 0 && t.scaleInThresholdFraction <= 1)) {
    fail(file, '"targetTrackingAlarms" needs whole scaleOutDatapoints and scaleInDatapoints > 0 and 0 < scaleInThresholdFraction <= 1');
  }
  if (!(typeof a.metricDelaySeconds === 'number' && a.metricDelaySeconds >= 0)) fail(file, `"metricDelaySeconds" must be a number >= 0, got ${JSON.stringify(a.metricDelaySeconds)}`);
  if (!positive(a.requestTtlSeconds)) fail(file, `"requestTtlSeconds" must be a positive number, got ${JSON.stringify(a.requestTtlSeconds)}`);
  if (typeof a.stepPolicyReinvokedWhileInAlarm !== 'boolean') fail(file, `"stepPolicyReinvokedWhileInAlarm" must be true or false, got ${JSON.stringify(a.stepPolicyReinvokedWhileInAlarm)}`);
  if (typeof a.updateBlocksScaling !== 'boolean') fail(file, `"updateBlocksScaling" must be true or false, got ${JSON.stringify(a.updateBlocksScaling)}`);
  if (!(typeof a.wakeAfterSubmitSeconds === 'number' && a.wakeAfterSubmitSeconds >= 0)) fail(file, `"wakeAfterSubmitSeconds" must be a number >= 0, got ${JSON.stringify(a.wakeAfterSubmitSeconds)}`);
  if (!(typeof a.workerSpeedup === 'number' && a.workerSpeedup >= 1 && a.workerSpeedup <= 2)) fail(file, `"workerSpeedup" must be a number from 1 (no gain from a second worker) to 2 (linear), got ${JSON.stringify(a.workerSpeedup)}`);
  if (!(typeof a.wakeCountAfterSubmitSeconds === 'number' && a.wakeCountAfterSubmitSeconds >= 0)) fail(file, `"wakeCountAfterSubmitSeconds" must be a number >= 0, got ${JSON.stringify(a.wakeCountAfterSubmitSeconds)}`);
  const m = a.serviceFromTokens;
  if (m !== undefined) {
    const whole = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
    if (!(positive(m.tokensPerRequest?.median) && m.tokensPerRequest.p95 >= m.tokensPerRequest.median && whole(m.windowTokens) && whole(m.summaryTokens) && positive(m.secondsPerWindow))) {
      fail(file, '"serviceFromTokens" needs tokensPerRequest {median, p95 >= median}, whole windowTokens and summaryTokens > 0 and secondsPerWindow > 0');
    }
    if (!(Number.isInteger(m.overlapTokens) && m.overlapTokens >= 0 && m.overlapTokens * 2 < m.windowTokens - 1)) {
      fail(file, `"serviceFromTokens.overlapTokens" must be a whole number below half the window (as the model handler requires), got ${m.overlapTokens}`);
    }
    if (m.summaryTokens * 2 > m.windowTokens - 1) fail(file, '"serviceFromTokens.summaryTokens" must be at most half the window, or the reduce passes never shrink the text');
  }
  return a;
}

/**
 * Generation calls the model handler makes for a document of `tokens` tokens, as
 * model/code/inference.py `_map_reduce` does them: each round splits its text into windows and
 * generates them in batches of `batchSize`; rounds go on until the joined summaries fit one
 * window, or a round does not shrink them, or the next would reach `maxRounds` (map rounds plus
 * the final pass); then one final call. A document that fits one window takes one call.
 */
export function passesFor(tokens: number, windowTokens: number, overlapTokens: number, summaryTokens: number, batchSize = 1, maxRounds = 4): number {
  const limit = windowTokens - 1;
  const windows = (n: number) => (n <= limit ? 1 : Math.ceil((n - overlapTokens) / (limit - overlapTokens)));
  if (tokens <= limit) return 1;
  let calls = 0;
  let rounds = 0;
  let text = tokens;
  for (;;) {
    const w = windows(text);
    calls += Math.ceil(w / batchSize);
    rounds++;
    const joined = w * summaryTokens;
    const stalled = joined > limit && joined >= text;
    const limitHit = joined > limit && !stalled && rounds + 1 >= maxRounds;
    if (joined <= limit || stalled || limitHit) return calls + 1;
    text = joined;
  }
}

/**
 * Each request's service time, drawn once from its own seed (common random numbers): the same
 * request takes the same time whichever policy serves it.
 */
export function serviceTimes(count: number, assumptions: ServiceAssumptions, seed: number): Float64Array {
  const random = seededRandom(seed ^ 0x5bd1e995);
  const out = new Float64Array(count);
  const model = assumptions.serviceFromTokens;
  if (model) {
    const tokens = lognormalSampler(model.tokensPerRequest.median, model.tokensPerRequest.p95, random);
    const batch = model.batchSize ?? 1;
    const secondsPerCall = model.secondsPerBatch ?? model.secondsPerWindow * batch;
    for (let i = 0; i < count; i++) out[i] = passesFor(Math.round(tokens()), model.windowTokens, model.overlapTokens, model.summaryTokens, batch, model.maxRounds ?? 4) * secondsPerCall;
  } else {
    const sample = lognormalSampler(assumptions.serviceSecondsPerRequest.median, assumptions.serviceSecondsPerRequest.p95, random);
    for (let i = 0; i < count; i++) out[i] = sample();
  }
  return out;
}

/**
 * Arrival times in seconds, sorted; `poisson` bursts use the seeded generator. `phaseSeconds`
 * shifts every arrival (the second of the minute a burst starts at changes when the alarms see it).
 */
export function arrivalTimes(scenario: Scenario, seed: number, phaseSeconds = scenario.phaseSeconds ?? 0): number[] {
  const random = seededRandom(seed ^ 0x9e3779b9);
  const times: number[] = [];
  for (const a of scenario.arrivals) {
    const span = a.endSeconds - a.startSeconds;
    for (let i = 0; i < a.count; i++) {
      if (a.pattern === 'poisson') times.push(a.startSeconds + random() * span);
      else times.push(a.count === 1 ? a.startSeconds : a.startSeconds + (span * i) / (a.count - 1 || 1));
    }
  }
  return times.sort((x, y) => x - y).map((x) => x + phaseSeconds);
}
