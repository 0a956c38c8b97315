import { STAGED_PREFIX_URL } from '../../common/staged-model';
import { boolean, FieldSpec, ParseResult, integer, integerOf, list, oneOf, optionalText, positiveNumber, text } from './fields';

/**
 * The pinned Hugging Face PyTorch inference DLC tag (PyTorch 2.6.0, transformers 4.51.3,
 * Python 3.12, CUDA 12.4). Not the newest image on purpose: transformers 5 removed the
 * `summarization` pipeline, so the 5.x images cannot serve `HF_TASK=summarization` with the
 * stock handler (see README, "Choosing an image").
 */
export const DEFAULT_IMAGE_TAG = '2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04';

/**
 * The transformers 4.x pipeline tasks that run a sequence-to-sequence model on text
 * (`SUPPORTED_TASKS` in transformers/pipelines/__init__.py): what PEGASUS can be served as. A typo
 * such as "summarisation" would otherwise surface only when the endpoint starts, long into a deploy.
 */
export const SEQ2SEQ_TASKS = ['summarization', 'text2text-generation'] as const;

/** Values of `AsyncInferenceNotificationConfig.IncludeInferenceResponseIn`. */
export const INFERENCE_RESPONSE_TOPICS = ['SUCCESS_NOTIFICATION_TOPIC', 'ERROR_NOTIFICATION_TOPIC'] as const;
export type InferenceResponseTopic = (typeof INFERENCE_RESPONSE_TOPICS)[number];

export const SECURITY_PROFILES = ['standard', 'regulated'] as const;
export type SecurityProfile = (typeof SECURITY_PROFILES)[number];

export const REMOVAL_POLICIES = ['retain', 'destroy'] as const;
export type DataRemovalPolicy = (typeof REMOVAL_POLICIES)[number];

export const VOLUME_KMS_MODES = ['auto', 'always', 'never'] as const;

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`), in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** How the model handler treats a document longer than the model's input window. */
export const LONG_DOCUMENT_STRATEGIES = ['map-reduce', 'truncate'] as const;
export type LongDocumentStrategy = (typeof LONG_DOCUMENT_STRATEGIES)[number];
export type VolumeKmsMode = (typeof VOLUME_KMS_MODES)[number];

/**
 * The commit of `google/pegasus-large` the default model is pinned to: "Adding `safetensors` variant of this
 * model" (lcahill, 2023-11-20), the newest commit in the repository's history page
 * (https://huggingface.co/google/pegasus-large/commits/93928205c2e26274f82e637a8e10033be1e1e975). Its safetensors
 * weights are what `summarizer stage-model` copies.
 */
export const DEFAULT_MODEL_ID = 'google/pegasus-large';
export const DEFAULT_MODEL_REVISION = '93928205c2e26274f82e637a8e10033be1e1e975';

/** A Hub commit: the full 40-hex git object id. A branch or tag can move; a commit cannot. */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** Where the model's weights come from: "hub" (downloaded at container start), "staged" (this app's bucket) or an S3 prefix. */
export { STAGED_PREFIX_URL } from '../../common/staged-model';
export type ModelSource = 'hub' | 'staged' | `s3://${string}`;

export const NETWORK_ISOLATION_MODES = ['auto', 'on', 'off'] as const;
export type NetworkIsolationMode = (typeof NETWORK_ISOLATION_MODES)[number];

/** EC2 resource ids: the prefix and 8 or 17 hex digits. */
const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** An IAM role or user ARN, the name possibly with `*`. */
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/*-]{1,512}$/;

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const isEmail = (s: string): s is string => EMAIL.test(s) && s.length <= 254;
const isResponseTopic = (s: string): s is InferenceResponseTopic =>
  (INFERENCE_RESPONSE_TOPICS as readonly string[]).includes(s);

/** An ECR image URI: account.dkr.ecr.region.suffix/repository(:tag | @sha256:digest). */
export const ECR_IMAGE_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d)\.(amazonaws\.com(?:\.cn)?|c2s\.ic\.gov|sc2s\.sgov\.gov)\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([\w][\w.-]{0,127})|@(sha256:[a-f0-9]{64}))$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Every configuration key, its default and what it accepts. This table is the single
 * source of truth: the loader validates against it and the README lists it
 * (a test keeps the two in step).
 */
export const CONFIG_SCHEMA = {
  stage: text(
    'Deployment stage; names the stack (`PegasusSummarizer-<stage>`) and tags every resource.',
    'dev',
    /^[a-z][a-z0-9-]{0,19}$/,
    'lowercase letters, digits and hyphens, starting with a letter, at most 20 characters',
  ),
  securityProfile: oneOf<SecurityProfile>(
    '"regulated" requires what a regulated account expects and fails synth naming each missing setting: a staged model (pinned, network-isolated) in your VPC, termination and deletion protection, retained data, a digest-pinned image, an alarm subscription and named key administrators; and adds the cdk-nag NIST 800-53 rev. 5 checks. "standard" is easy to try (README, "Security", says what it does not promise).',
    'standard',
    SECURITY_PROFILES,
  ),
  modelId: text(
    'Hugging Face Hub model id: downloaded by the container (`HF_MODEL_ID`) with modelSource "hub", read from `models/<modelId>/<modelRevision>/` with "staged"; recorded with every summary.',
    DEFAULT_MODEL_ID,
    /^[A-Za-z0-9][\w.-]{0,95}(\/[\w.-]{1,96})?$/,
    'a Hub repository id such as "google/pegasus-xsum"',
  ),
  hfTask: {
    description:
      'Transformers pipeline task, passed as `HF_TASK`. This app\'s handler loads a sequence-to-sequence model itself and does not read it; it matters only to a stock or custom handler. `custom:<task>` passes any other task on purpose.',
    allowed: `one of ${SEQ2SEQ_TASKS.map((t) => `"${t}"`).join(', ')}, or "custom:<task>" to pass another task on purpose`,
    default: 'summarization',
    parse: (raw: unknown): ParseResult<string> => {
      if (typeof raw !== 'string') return { ok: false };
      if ((SEQ2SEQ_TASKS as readonly string[]).includes(raw)) return { ok: true, value: raw };
      const custom = /^custom:([a-z][a-z0-9_-]{1,63})$/.exec(raw);
      return custom ? { ok: true, value: custom[1] } : { ok: false };
    },
  } as FieldSpec<string>,
  modelRevision: optionalText(
    `Hub commit the model is pinned to (\`HF_MODEL_REVISION\`, and the staged copy's folder); recorded with every summary. Unset: the pinned commit of ${DEFAULT_MODEL_ID} (${DEFAULT_MODEL_REVISION.slice(0, 7)}) when modelId is the default, otherwise required. A branch or tag is accepted only with allowUnpinnedModel.`,
    /^[\w./-]{1,128}$/,
    'a 40-character commit hash (or, with allowUnpinnedModel, a branch or tag)',
  ),
  allowUnpinnedModel: boolean(
    'Accept a branch or tag as modelRevision for a Hub model: every cold start then loads whatever the branch points to, so summaries can change without a deploy.',
    false,
  ),
  modelSource: {
    description:
      'Where the weights come from: "hub" downloads them from the Hugging Face Hub at every instance start; "staged" reads the copy `summarizer stage-model` made in this app\'s bucket (`models/<modelId>/<modelRevision>/`); an S3 prefix reads a copy staged there (`summarizer stage-model --to`). Staged models run without internet access (networkIsolation).',
    allowed: '"hub", "staged", or an S3 prefix ending in "/", such as "s3://my-models/google/pegasus-large/93928205c2e26274f82e637a8e10033be1e1e975/"',
    default: 'hub',
    parse: (raw: unknown): ParseResult<ModelSource> =>
      raw === 'hub' || raw === 'staged' || (typeof raw === 'string' && STAGED_PREFIX_URL.test(raw))
        ? { ok: true, value: raw as ModelSource }
        : { ok: false },
  } as FieldSpec<ModelSource>,
  networkIsolation: oneOf<NetworkIsolationMode>(
    'Run the model container with `EnableNetworkIsolation` (no network access at all, not even to AWS). "auto": on for a staged model or modelDataUrl, off for a Hub model, which must download its weights.',
    'auto',
    NETWORK_ISOLATION_MODES,
  ),
  vpcSubnetIds: list(
    'Subnets of your VPC to place the model\'s instances in (`VpcConfig`); all in one VPC (`summarizer preflight` checks). Empty: SageMaker\'s own network. See README, "Models", for the VPC endpoints needed.',
    [],
    (s: string): s is string => SUBNET_ID.test(s),
    'subnet ids such as "subnet-0123456789abcdef0"',
    16,
  ),
  vpcSecurityGroupIds: list(
    'Security groups of the model\'s network interfaces in the VPC; required with vpcSubnetIds.',
    [],
    (s: string): s is string => SECURITY_GROUP_ID.test(s),
    'security group ids such as "sg-0123456789abcdef0"',
    5,
  ),
  modelDataUrl: optionalText(
    'S3 URL of a `model.tar.gz` to serve instead of downloading from the Hub; the model runs with network isolation.',
    /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+\.tar\.gz$/,
    'an S3 URL of a .tar.gz object, such as "s3://my-models/pegasus/model.tar.gz"',
  ),
  modelDataKmsKeyArn: optionalText(
    'With modelDataUrl, or an s3:// modelSource, in a bucket encrypted with a customer-managed KMS key: that key, so the function that adds the handler to the model may decrypt it (`kms:Decrypt` through S3 only). `summarizer preflight` says when it is needed. A key in another account must also allow the function\'s role in its key policy (README, "Models").',
    /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/[0-9a-fA-F-]{36}$/,
    'a KMS key ARN such as "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
  ),
  modelDataBucketOwner: optionalText(
    'The account that owns the bucket of modelDataUrl or of an s3:// modelSource. The functions that read it there require that owner (`s3:ResourceAccount`), so a bucket of the same name in another account is never read. Unset: this account.',
    /^\d{12}$/,
    'a 12-digit AWS account id',
  ),
  image: {
    description:
      'Inference image: a tag of the Hugging Face PyTorch inference DLC (registry chosen per region), or a full ECR image URI.',
    allowed:
      'an image tag such as "2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04", or an ECR URI "<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>"',
    default: DEFAULT_IMAGE_TAG,
    parse: (raw: unknown): ParseResult<string> =>
      typeof raw === 'string' && (IMAGE_TAG.test(raw) || ECR_IMAGE_URI.test(raw)) ? { ok: true, value: raw } : { ok: false },
  } as FieldSpec<string>,
  imageDigest: optionalText(
    'Pin the DLC image (a tag in `image`) to this digest: the endpoint then runs exactly that image, whatever the tag later points to. `image` keeps naming the tag, for transformers checks and the README. For an ECR URI in `image`, write `@sha256:…` in the URI instead.',
    /^sha256:[a-f0-9]{64}$/,
    'an image digest such as "sha256:" followed by 64 hexadecimal digits (`aws ecr describe-images` prints it)',
  ),
  instanceType: text(
    'SageMaker instance type of the production variant.',
    'ml.g5.xlarge',
    /^ml\.[a-z]+\d[a-z0-9-]*\.(\d*xlarge|large|medium)$/,
    'a SageMaker instance type such as "ml.g5.xlarge" or "ml.g4dn.xlarge"',
  ),
  minCapacity: integer('Fewest instances auto scaling may leave running (0 = scale to zero).', 0, 0, 100),
  maxCapacity: integer('Most instances auto scaling may start.', 5, 1, 100),
  targetBacklogPerInstance: positiveNumber(
    'Target value of `ApproximateBacklogSizePerInstance` for the target-tracking policy.',
    5,
    1000,
  ),
  scaleInCooldownSeconds: integer('Cooldown after a scale-in activity.', 120, 0, 3600),
  scaleOutCooldownSeconds: integer(
    'Cooldown after a target-tracking scale-out activity.',
    120,
    0,
    3600,
  ),
  scaleOutFromZero: boolean(
    'Add the step-scaling policy and `HasBacklogWithoutCapacity` alarm that start an instance as soon as work arrives at zero instances.',
    true,
  ),
  scaleFromZeroCooldownSeconds: integer(
    'Cooldown of the scale-from-zero step policy. CloudWatch re-invokes the policy every minute while requests wait with no instance in service, so a cooldown shorter than a cold start (7-9 minutes) starts several instances for one request.',
    600,
    60,
    3600,
  ),
  idleScaleInMinutes: integer(
    'With minCapacity 0: minutes with nothing queued or in flight (`ApproximateBacklogSize` Maximum 0) after which a step policy sets the endpoint to zero instances, instead of waiting about 15 minutes for target tracking. 0 = leave scale-in to target tracking. The default, 2, is what the planner found cheapest at equal p95 on every shipped scenario while still asking for two quiet minutes, not one.',
    2,
    0,
    60,
  ),
  wakeOnSubmit: boolean(
    'With minCapacity 0 and the pipeline on: the invoker, after submitting work to an endpoint at zero instances, starts it itself (`UpdateEndpointWeightsAndCapacities`, granted on this endpoint only), one instance per `targetBacklogPerInstance` requests waiting (at most maxCapacity), instead of waiting 1-2 minutes for the `HasBacklogWithoutCapacity` alarm, which becomes a 12-minute backstop.',
    true,
  ),
  longDocuments: oneOf<LongDocumentStrategy>(
    'Documents longer than the model reads at once (1024 tokens for PEGASUS): "map-reduce" summarizes every window and then the window summaries; "truncate" reads only the first window. A request can override it (`parameters.long_documents`).',
    'map-reduce',
    LONG_DOCUMENT_STRATEGIES,
  ),
  chunkTokens: integer(
    'Window size in tokens for map-reduce (0 = the model\'s maximum input length, from its config).',
    0,
    0,
    16384,
  ),
  overlapTokens: integer('Tokens consecutive windows share, so a sentence cut at a window edge is read whole in one of them.', 64, 0, 1024),
  summaryBatchSize: integer(
    'Windows summarized together on the GPU; halved automatically on CUDA out-of-memory.',
    8,
    1,
    256,
  ),
  maxSummaryRounds: integer(
    'Most generation passes per document (map rounds plus the final reduce); the output says when the bound was reached.',
    4,
    2,
    10,
  ),
  maxConcurrentInvocationsPerInstance: integer(
    'Requests SageMaker sends to one instance at a time (`ClientConfig.MaxConcurrentInvocationsPerInstance`).',
    2,
    1,
    1000,
  ),
  modelServerWorkers: integer(
    'Model-server worker processes per instance (`SAGEMAKER_MODEL_SERVER_WORKERS`), each with its own copy of the model on the GPU (about 8 GB each is assumed and checked against the instance type). 0 = one per concurrent invocation, so concurrent requests really run at once; the container alone would start one per GPU and queue the rest.',
    0,
    0,
    64,
  ),
  invocationTimeoutSeconds: integer(
    'How long one request may be processed; the model server timeout is aligned to it. Clients send it per request as `InvocationTimeoutSeconds`.',
    900,
    1,
    3600,
  ),
  containerStartupTimeoutSeconds: integer(
    'How long a new instance may take to download the model and pass its health check.',
    900,
    60,
    3600,
  ),
  includeInferenceResponseIn: list(
    'Notifications that carry the inference response inline (responses up to 128 KB).',
    ['SUCCESS_NOTIFICATION_TOPIC'],
    isResponseTopic,
    `of ${INFERENCE_RESPONSE_TOPICS.map((v) => `"${v}"`).join(', ')}`,
    2,
  ),
  notificationEmails: list(
    'Email addresses subscribed to the success and error topics.',
    [],
    isEmail,
    'email addresses',
    20,
  ),
  alarmEmails: list('Email addresses subscribed to the operations (alarm) topic.', [], isEmail, 'email addresses', 20),
  dataRetentionDays: integer(
    'Days before objects under input/, output/ and failure/ expire (0 = keep forever).',
    90,
    0,
    3650,
  ),
  accessLogRetentionDays: integer('Days before S3 server access logs expire.', 365, 1, 3650),
  logRetentionDays: integerOf(
    'Days CloudWatch Logs keeps the Lambda and endpoint log groups (all encrypted with the operations key); a year by default, as compliance reviews expect.',
    365,
    LOG_RETENTION_DAYS,
  ),
  keyAdminArns: list(
    'IAM roles or users (ARNs; `*` allowed in the name) that administer the app\'s KMS keys, without being able to decrypt with them. Set with keyUserArns to replace the account-wide `kms:*` of the default key policy (README, "Security").',
    [],
    (s: string): s is string => IAM_PRINCIPAL_ARN.test(s),
    'IAM role or user ARNs such as "arn:aws:iam::111122223333:role/KeyAdmins"',
    20,
  ),
  keyUserArns: list(
    'IAM roles or users (ARNs) besides the stack\'s own roles that may decrypt documents and summaries (operators using `summarizer summaries` or reading output/). Only with keyAdminArns.',
    [],
    (s: string): s is string => IAM_PRINCIPAL_ARN.test(s),
    'IAM role or user ARNs such as "arn:aws:iam::111122223333:role/ResearchOperators"',
    20,
  ),
  dataRemovalPolicy: oneOf<DataRemovalPolicy>(
    'What `cdk destroy` does with the bucket and its objects: keep them, or delete them.',
    'retain',
    REMOVAL_POLICIES,
  ),
  terminationProtection: boolean('Turn on termination protection for the stack (recommended for prod).', false),
  deletionProtection: boolean('Turn on DynamoDB deletion protection for the summaries table: it cannot be deleted (by `cdk destroy` either) until turned off.', false),
  volumeKmsEncryption: oneOf<VolumeKmsMode>(
    'Encrypt the endpoint ML storage volume with the data key: "auto" does so only for instance types without local NVMe storage (which SageMaker encrypts in hardware and refuses a key for).',
    'auto',
    VOLUME_KMS_MODES,
  ),
  pipeline: boolean(
    'Deploy the research pipeline: documents uploaded under input/ are submitted automatically and every result is recorded in a DynamoDB table.',
    true,
  ),
  pipelineMaxConcurrency: integer(
    'Concurrent invoker Lambdas of the pipeline; bounds the InvokeEndpointAsync rate during bulk uploads.',
    5,
    2,
    100,
  ),
  oldestRequestAlarmSeconds: integer(
    'Alarm when the oldest queued request is older than this.',
    3600,
    60,
    21600,
  ),
  backlogWithoutCapacityAlarmMinutes: integer(
    'Alarm when requests have waited with zero instances for this many minutes (scale-out from zero failed).',
    15,
    3,
    120,
  ),
} as const;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;
export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

/** The validated configuration of one deployment of the app. */
export type SummarizerConfig = {
  readonly [K in ConfigKey]: (typeof CONFIG_SCHEMA)[K] extends FieldSpec<infer T> ? T : never;
};
