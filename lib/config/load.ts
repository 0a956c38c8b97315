import * as fs from 'fs';
import { closest, distance } from 'fastest-levenshtein';
import { modelServerProblems } from './model-server';
import { COMMIT_HASH, ECR_IMAGE_URI, CONFIG_KEYS, CONFIG_SCHEMA, ConfigKey, DEFAULT_MODEL_ID, DEFAULT_MODEL_REVISION, SummarizerConfig } from './schema';

/** The context key that names an optional JSON configuration file. */
export const CONFIG_FILE_KEY = 'config';

/** Raised when the configuration is invalid; lists every problem found, not only the first. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was synthesized:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * Context keys owned by the CDK (feature flags such as `@aws-cdk/…`, `aws:cdk:…` settings the
 * CLI injects, cached lookups such as `availability-zones:…`) are namespaced. Ours are plain
 * identifiers, so a plain identifier that is not in the schema is a user's typo.
 */
const isOwnKey = (key: string): boolean => /^[A-Za-z][A-Za-z0-9_]*$/.test(key);

function describe(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : JSON.stringify(raw) ?? String(raw);
}

function suggestion(key: string): string {
  const lower = key.toLowerCase();
  const best = closest(lower, CONFIG_KEYS.map((k) => k.toLowerCase()));
  const match = CONFIG_KEYS.find((k) => k.toLowerCase() === best)!;
  return distance(lower, best) <= Math.max(2, Math.floor(key.length / 3)) ? ` Did you mean "${match}"?` : '';
}

function unknownKeyProblems(keys: string[], where: string): string[] {
  return keys
    .filter((k) => !(CONFIG_KEYS as string[]).includes(k))
    .map(
      (k) =>
        `unknown key "${k}" (${where}).${suggestion(k)} Allowed keys: ${CONFIG_KEYS.join(', ')}.`,
    );
}

function readConfigFile(
  path: unknown,
  readFile: (path: string) => string,
  problems: string[],
): Record<string, unknown> {
  if (typeof path !== 'string' || path.trim() === '') {
    problems.push(`${CONFIG_FILE_KEY}: got ${describe(path)}; expected the path of a JSON configuration file.`);
    return {};
  }
  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    problems.push(`${CONFIG_FILE_KEY}: cannot read "${path}" (${(e as Error).message}).`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    problems.push(`${CONFIG_FILE_KEY}: "${path}" is not valid JSON (${(e as Error).message}).`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${CONFIG_FILE_KEY}: "${path}" must hold a JSON object of configuration keys.`);
    return {};
  }
  const fileValues = parsed as Record<string, unknown>;
  problems.push(...unknownKeyProblems(Object.keys(fileValues), `in config file "${path}"`));
  return fileValues;
}

/** The smallest window the model handler accepts (model/code/inference.py, MIN_CHUNK_TOKENS). */
export const MIN_CHUNK_TOKENS = 64;

function crossFieldProblems(c: SummarizerConfig): string[] {
  const problems: string[] = [];
  if (c.chunkTokens > 0 && c.chunkTokens < MIN_CHUNK_TOKENS) {
    problems.push(
      `chunkTokens: got ${c.chunkTokens}; expected 0 (the model's maximum input) or at least ${MIN_CHUNK_TOKENS}: the model handler refuses smaller windows (MIN_CHUNK_TOKENS in model/code/inference.py).`,
    );
  }
  if (c.chunkTokens > 0 && c.overlapTokens * 2 >= c.chunkTokens) {
    problems.push(
      `overlapTokens: got ${c.overlapTokens}; expected less than half of chunkTokens (${c.chunkTokens}), or windows would not advance.`,
    );
  }
  if (c.modelDataKmsKeyArn !== undefined && c.modelDataUrl === undefined && !c.modelSource.startsWith('s3://')) {
    problems.push(`modelDataKmsKeyArn: got "${c.modelDataKmsKeyArn}"; it is the key of the modelDataUrl artifact or of an s3:// modelSource, and neither is set. Set one of them or unset modelDataKmsKeyArn.`);
  }
  if (c.minCapacity > c.maxCapacity) {
    problems.push(
      `minCapacity: got ${c.minCapacity}; expected at most maxCapacity (${c.maxCapacity}). Lower minCapacity or raise maxCapacity.`,
    );
  }
  if (c.modelRevision !== undefined && c.modelDataUrl !== undefined) {
    problems.push(
      `modelRevision: got "${c.modelRevision}"; a Hub revision has no effect when modelDataUrl ("${c.modelDataUrl}") is set. Unset one of them.`,
    );
  }
  problems.push(...modelSourceProblems(c));
  if (c.securityProfile === 'regulated') problems.push(...regulatedProblems(c));
  if (c.imageDigest !== undefined && ECR_IMAGE_URI.test(c.image)) {
    problems.push(`imageDigest: got "${c.imageDigest}"; image is a full ECR URI ("${c.image}"): pin it there as <repository>@${c.imageDigest} and unset imageDigest.`);
  }
  if (c.keyUserArns.length > 0 && c.keyAdminArns.length === 0) {
    problems.push(`keyUserArns: set (${c.keyUserArns.join(',')}) without keyAdminArns; naming key users replaces the account-wide key policy, which then needs its administrators. Set keyAdminArns too.`);
  }
  if (c.modelDataBucketOwner !== undefined && c.modelDataUrl === undefined && !c.modelSource.startsWith('s3://')) {
    problems.push(`modelDataBucketOwner: got "${c.modelDataBucketOwner}"; it names the owner of the modelDataUrl or s3:// modelSource bucket, and neither is set. Set one of them or unset modelDataBucketOwner.`);
  }
  problems.push(...modelServerProblems(c));
  return problems;
}

/** The command that stages the configured model, for error messages. */
export function stageModelCommand(c: Pick<SummarizerConfig, 'modelId' | 'modelRevision' | 'modelSource'>): string {
  const to = c.modelSource.startsWith('s3://') ? ` --to ${c.modelSource}` : '';
  return `npx summarizer stage-model ${c.modelId}@${c.modelRevision ?? 'main'}${to}`;
}

/** Pinning, the model's source, network isolation and VPC placement, which only make sense together. */
function modelSourceProblems(c: SummarizerConfig): string[] {
  const problems: string[] = [];
  const hub = c.modelDataUrl === undefined && c.modelSource === 'hub';
  if (c.modelDataUrl !== undefined && c.modelSource !== 'hub') {
    problems.push(`modelSource: got "${c.modelSource}"; modelDataUrl ("${c.modelDataUrl}") already says where the model comes from. Unset one of them.`);
  }
  if (c.modelDataUrl === undefined && c.modelRevision === undefined) {
    problems.push(
      `modelRevision: not set for modelId "${c.modelId}"; expected the 40-character commit hash to pin it to (the "Files and versions" history on the Hub lists them; only ${DEFAULT_MODEL_ID} has a pinned default).`,
    );
  } else if (c.modelRevision !== undefined && c.modelDataUrl === undefined && !COMMIT_HASH.test(c.modelRevision)) {
    if (!hub) {
      problems.push(
        `modelRevision: got "${c.modelRevision}"; a staged model is one fixed commit: expected its 40-character commit hash (\`${stageModelCommand({ ...c, modelRevision: c.modelRevision })}\` prints it).`,
      );
    } else if (!c.allowUnpinnedModel) {
      problems.push(
        `modelRevision: got "${c.modelRevision}"; expected a 40-character commit hash, so a new commit on the Hub cannot change summaries without a deploy. To follow a branch or tag on purpose, set allowUnpinnedModel=true.`,
      );
    }
  }
  if (hub && c.networkIsolation === 'on') {
    problems.push(
      `networkIsolation: got "on"; a Hub model (modelSource "hub") is downloaded by the container at start (HF_MODEL_ID), which network isolation blocks. Stage it first (\`${stageModelCommand({ ...c, modelSource: 'staged' })}\`) and set modelSource=staged, or use networkIsolation=auto.`,
    );
  }
  if (c.vpcSubnetIds.length > 0 && c.vpcSecurityGroupIds.length === 0) {
    problems.push(`vpcSecurityGroupIds: empty while vpcSubnetIds is set (${c.vpcSubnetIds.join(',')}); SageMaker needs at least one security group for the model's network interfaces.`);
  }
  if (c.vpcSecurityGroupIds.length > 0 && c.vpcSubnetIds.length === 0) {
    problems.push(`vpcSubnetIds: empty while vpcSecurityGroupIds is set (${c.vpcSecurityGroupIds.join(',')}); security groups need subnets to place the model in.`);
  }
  return problems;
}

/**
 * What `securityProfile=regulated` requires, one problem per missing setting, each naming the key,
 * what it is and what to set.
 */
export function regulatedProblems(c: SummarizerConfig): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, key: string, got: unknown, what: string) => {
    if (!ok) problems.push(`${key}: got ${JSON.stringify(got) ?? 'nothing'}; securityProfile=regulated requires ${what}.`);
  };
  need(c.modelDataUrl === undefined && c.modelSource !== 'hub', 'modelSource', c.modelDataUrl ?? c.modelSource, `a staged model, pinned and loaded without the Hub: "staged" (after \`${stageModelCommand({ ...c, modelSource: 'staged' })}\`) or an s3:// prefix`);
  need(c.networkIsolation !== 'off', 'networkIsolation', c.networkIsolation, '"auto" or "on": the model container has no network access');
  need(c.vpcSubnetIds.length > 0, 'vpcSubnetIds', c.vpcSubnetIds.join(','), 'subnets of your VPC for the model (and vpcSecurityGroupIds)');
  need(c.terminationProtection, 'terminationProtection', c.terminationProtection, 'true: the stack cannot be deleted by mistake');
  need(c.deletionProtection, 'deletionProtection', c.deletionProtection, 'true: the summaries table cannot be deleted by mistake');
  need(c.dataRemovalPolicy === 'retain', 'dataRemovalPolicy', c.dataRemovalPolicy, '"retain": documents, results and keys outlive the stack');
  need(c.imageDigest !== undefined || /@sha256:[a-f0-9]{64}$/.test(c.image), 'imageDigest', c.imageDigest, 'the image pinned by digest (imageDigest, or an ECR URI ending in @sha256:…): a tag can be moved to another image');
  need(c.alarmEmails.length > 0, 'alarmEmails', c.alarmEmails.join(','), 'at least one address subscribed to the alarms');
  need(c.keyAdminArns.length > 0, 'keyAdminArns', c.keyAdminArns.join(','), 'the IAM principals that administer the keys, so administration and use are separated (and keyUserArns for those who read results)');
  return problems;
}

/** modelRevision's default: the pinned commit of the default model (no other model has one). */
function withDefaultRevision(values: Partial<Record<ConfigKey, unknown>>): void {
  if (values.modelRevision === undefined && values.modelDataUrl === undefined && values.modelId === DEFAULT_MODEL_ID) {
    values.modelRevision = DEFAULT_MODEL_REVISION;
  }
}

/**
 * Builds the configuration from defaults, an optional JSON file (`-c config=path`) and
 * context values (`-c key=value` or cdk.json), in increasing order of precedence.
 *
 * @throws ConfigError naming each offending key, the value given and what is allowed.
 */
export function loadConfig(
  context: Record<string, unknown>,
  readFile: (path: string) => string = (p) => fs.readFileSync(p, 'utf8'),
): SummarizerConfig {
  const problems: string[] = [];
  const ownContext = Object.fromEntries(
    Object.entries(context).filter(([k]) => isOwnKey(k) && k !== CONFIG_FILE_KEY),
  );
  problems.push(...unknownKeyProblems(Object.keys(ownContext), 'from -c or cdk.json context'));

  const fileValues =
    context[CONFIG_FILE_KEY] === undefined ? {} : readConfigFile(context[CONFIG_FILE_KEY], readFile, problems);

  const values: Partial<Record<ConfigKey, unknown>> = {};
  for (const key of CONFIG_KEYS) {
    const spec = CONFIG_SCHEMA[key];
    const [raw, where] =
      ownContext[key] !== undefined
        ? [ownContext[key], 'from -c or cdk.json context']
        : [fileValues[key], `in config file "${String(context[CONFIG_FILE_KEY])}"`];
    if (raw === undefined) {
      values[key] = spec.default;
      continue;
    }
    const result = spec.parse(raw);
    if (result.ok) {
      values[key] = result.value;
    } else {
      problems.push(`${key}: got ${describe(raw)} (${where}); expected ${spec.allowed}.`);
    }
  }

  if (problems.length === 0) {
    withDefaultRevision(values);
    problems.push(...crossFieldProblems(values as SummarizerConfig));
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return Object.freeze(values) as SummarizerConfig;
}
