import { CONFIG_KEYS, CONFIG_SCHEMA, ConfigError, DEFAULT_IMAGE_TAG, DEFAULT_MODEL_REVISION, loadConfig } from '../../lib/config';
import { REGULATED_CONTEXT } from '../helpers/app';

function problemsOf(context: Record<string, unknown>, files: Record<string, string> = {}): readonly string[] {
  try {
    loadConfig(context, (p) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return files[p];
    });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('defaults', () => {
  test('reproduce the reference setup', () => {
    const c = loadConfig({});
    expect(c).toEqual({
      stage: 'dev',
      securityProfile: 'standard',
      modelId: 'google/pegasus-large',
      hfTask: 'summarization',
      modelRevision: '93928205c2e26274f82e637a8e10033be1e1e975',
      allowUnpinnedModel: false,
      modelSource: 'hub',
      networkIsolation: 'auto',
      vpcSubnetIds: [],
      vpcSecurityGroupIds: [],
      modelDataUrl: undefined,
      modelDataBucketOwner: undefined,
      imageDigest: undefined,
      image: '2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04',
      instanceType: 'ml.g5.xlarge',
      minCapacity: 0,
      maxCapacity: 5,
      targetBacklogPerInstance: 5,
      scaleInCooldownSeconds: 120,
      scaleOutCooldownSeconds: 120,
      scaleOutFromZero: true,
      scaleFromZeroCooldownSeconds: 600,
      maxConcurrentInvocationsPerInstance: 2,
      invocationTimeoutSeconds: 900,
      longDocuments: 'map-reduce',
      chunkTokens: 0,
      overlapTokens: 64,
      summaryBatchSize: 8,
      maxSummaryRounds: 4,
      modelServerWorkers: 0,
      idleScaleInMinutes: 2,
      wakeOnSubmit: true,
      logRetentionDays: 365,
      containerStartupTimeoutSeconds: 900,
      includeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC'],
      notificationEmails: [],
      alarmEmails: [],
      dataRetentionDays: 90,
      accessLogRetentionDays: 365,
      keyAdminArns: [],
      keyUserArns: [],
      dataRemovalPolicy: 'retain',
      terminationProtection: false,
      deletionProtection: false,
      volumeKmsEncryption: 'auto',
      pipeline: true,
      pipelineMaxConcurrency: 5,
      oldestRequestAlarmSeconds: 3600,
      backlogWithoutCapacityAlarmMinutes: 15,
    });
    expect(DEFAULT_IMAGE_TAG).not.toContain('transformers5');
  });

  test('the configuration object is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
  });

  test('CDK feature flags and CLI settings in the context are not taken for our keys', () => {
    const c = loadConfig({
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:bundling-stacks': [],
      'availability-zones:account=111122223333:region=us-east-1': ['us-east-1a'],
    });
    expect(c.stage).toBe('dev');
  });
});

describe('values from -c arrive as strings and are converted', () => {
  test('numbers, booleans and lists', () => {
    const c = loadConfig({
      minCapacity: '1',
      maxCapacity: '10',
      targetBacklogPerInstance: '2.5',
      scaleOutFromZero: 'FALSE',
      notificationEmails: 'a@example.com, b@example.org,a@example.com',
      includeInferenceResponseIn: 'SUCCESS_NOTIFICATION_TOPIC,ERROR_NOTIFICATION_TOPIC',
      alarmEmails: 'none',
    });
    expect(c.minCapacity).toBe(1);
    expect(c.maxCapacity).toBe(10);
    expect(c.targetBacklogPerInstance).toBe(2.5);
    expect(c.scaleOutFromZero).toBe(false);
    expect(c.notificationEmails).toEqual(['a@example.com', 'b@example.org']);
    expect(c.includeInferenceResponseIn).toEqual(['SUCCESS_NOTIFICATION_TOPIC', 'ERROR_NOTIFICATION_TOPIC']);
    expect(c.alarmEmails).toEqual([]);
  });

  test('an empty includeInferenceResponseIn turns inlined responses off', () => {
    expect(loadConfig({ includeInferenceResponseIn: '' }).includeInferenceResponseIn).toEqual([]);
  });

  test('a full ECR image URI is accepted', () => {
    const uri = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-org/pegasus-custom:1.2.3';
    expect(loadConfig({ image: uri }).image).toBe(uri);
  });

  test('an empty optional value leaves it unset', () => {
    expect(loadConfig({ modelDataKmsKeyArn: '' }).modelDataKmsKeyArn).toBeUndefined();
    // modelRevision unset is the default model's pinned commit.
    expect(loadConfig({ modelRevision: '' }).modelRevision).toBe(DEFAULT_MODEL_REVISION);
  });
});

describe('config file (-c config=path)', () => {
  const read = (files: Record<string, string>) => (p: string) => files[p];

  test('values come from the file, typed JSON allowed', () => {
    const c = loadConfig(
      { config: 'prod.json' },
      read({ 'prod.json': JSON.stringify({ stage: 'prod', maxCapacity: 8, alarmEmails: ['ops@example.com'] }) }),
    );
    expect(c).toMatchObject({ stage: 'prod', maxCapacity: 8, alarmEmails: ['ops@example.com'] });
  });

  test('-c values override the file', () => {
    const c = loadConfig(
      { config: 'prod.json', maxCapacity: '3' },
      read({ 'prod.json': JSON.stringify({ maxCapacity: 8 }) }),
    );
    expect(c.maxCapacity).toBe(3);
  });
});

describe('invalid configuration fails with the key, the value and what is allowed', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['maxCapacity zero', { maxCapacity: '0' }, 'maxCapacity: got "0" (from -c or cdk.json context); expected an integer from 1 to 100.'],
    ['maxCapacity not a number', { maxCapacity: 'five' }, 'maxCapacity: got "five" (from -c or cdk.json context); expected an integer from 1 to 100.'],
    ['minCapacity negative', { minCapacity: '-1' }, 'minCapacity: got "-1" (from -c or cdk.json context); expected an integer from 0 to 100.'],
    ['minCapacity fractional', { minCapacity: 1.5 }, 'minCapacity: got 1.5 (from -c or cdk.json context); expected an integer from 0 to 100.'],
    ['longDocuments unknown', { longDocuments: 'summarize' }, 'longDocuments: got "summarize" (from -c or cdk.json context); expected one of "map-reduce", "truncate".'],
    ['overlapTokens not below half of chunkTokens', { chunkTokens: '128', overlapTokens: '64' }, 'overlapTokens: got 64; expected less than half of chunkTokens (128), or windows would not advance.'],
    ['chunkTokens below what the handler accepts', { chunkTokens: '32', overlapTokens: '8' }, "chunkTokens: got 32; expected 0 (the model's maximum input) or at least 64: the model handler refuses smaller windows (MIN_CHUNK_TOKENS in model/code/inference.py)."],
    ['logRetentionDays not a CloudWatch period', { logRetentionDays: '100' }, 'logRetentionDays: got "100" (from -c or cdk.json context); expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.'],
    ['hfTask misspelt (fails at synth, not when the endpoint starts)', { hfTask: 'summarisation' }, 'hfTask: got "summarisation" (from -c or cdk.json context); expected one of "summarization", "text2text-generation", or "custom:<task>" to pass another task on purpose.'],
    ['maxSummaryRounds below 2', { maxSummaryRounds: '1' }, 'maxSummaryRounds: got "1" (from -c or cdk.json context); expected an integer from 2 to 10.'],
    ['minCapacity above maxCapacity', { minCapacity: '4', maxCapacity: '2' }, 'minCapacity: got 4; expected at most maxCapacity (2). Lower minCapacity or raise maxCapacity.'],
    ['invocation timeout over one hour', { invocationTimeoutSeconds: '3601' }, 'invocationTimeoutSeconds: got "3601" (from -c or cdk.json context); expected an integer from 1 to 3600.'],
    ['invocation timeout zero', { invocationTimeoutSeconds: 0 }, 'invocationTimeoutSeconds: got 0 (from -c or cdk.json context); expected an integer from 1 to 3600.'],
    ['more workers than concurrency', { modelServerWorkers: '3' }, 'modelServerWorkers: got 3; expected at most maxConcurrentInvocationsPerInstance (2): SageMaker never sends an instance more requests than that, so extra workers only hold GPU memory.'],
    ['default workers (one per invocation) beyond the GPU', { maxConcurrentInvocationsPerInstance: '4' }, 'modelServerWorkers: 0 means one per concurrent invocation (4); expected at most 3 on ml.g5.xlarge (24 GB of GPU memory, about 8 GB per worker). Lower modelServerWorkers or maxConcurrentInvocationsPerInstance, or choose a larger instance type.'],
    ['workers beyond a 16 GB GPU', { instanceType: 'ml.g4dn.xlarge', maxConcurrentInvocationsPerInstance: '4', modelServerWorkers: '3' }, 'modelServerWorkers: got 3; expected at most 2 on ml.g4dn.xlarge (16 GB of GPU memory, about 8 GB per worker). Lower modelServerWorkers or maxConcurrentInvocationsPerInstance, or choose a larger instance type.'],
    ['concurrency over 1000', { maxConcurrentInvocationsPerInstance: '1001' }, 'maxConcurrentInvocationsPerInstance: got "1001" (from -c or cdk.json context); expected an integer from 1 to 1000.'],
    ['target backlog zero', { targetBacklogPerInstance: '0' }, 'targetBacklogPerInstance: got "0" (from -c or cdk.json context); expected a number greater than 0 and at most 1000.'],
    ['cooldown negative', { scaleInCooldownSeconds: '-5' }, 'scaleInCooldownSeconds: got "-5" (from -c or cdk.json context); expected an integer from 0 to 3600.'],
    ['boolean misspelt', { scaleOutFromZero: 'yes' }, 'scaleOutFromZero: got "yes" (from -c or cdk.json context); expected true or false.'],
    ['instance type without ml. prefix', { instanceType: 'g5.xlarge' }, 'instanceType: got "g5.xlarge" (from -c or cdk.json context); expected a SageMaker instance type such as "ml.g5.xlarge" or "ml.g4dn.xlarge".'],
    ['instance type garbage', { instanceType: 'ml.gpu' }, 'instanceType: got "ml.gpu" (from -c or cdk.json context); expected a SageMaker instance type such as "ml.g5.xlarge" or "ml.g4dn.xlarge".'],
    ['email without domain', { alarmEmails: 'ops@example' }, 'alarmEmails: got "ops@example" (from -c or cdk.json context); expected a comma-separated list (or JSON array) of at most 20 email addresses; empty or "none" for no items.'],
    ['one bad email among good ones', { notificationEmails: 'a@example.com,not-an-email' }, 'notificationEmails: got "a@example.com,not-an-email" (from -c or cdk.json context); expected a comma-separated list (or JSON array) of at most 20 email addresses; empty or "none" for no items.'],
    ['unknown notification topic', { includeInferenceResponseIn: 'SUCCESS' }, 'includeInferenceResponseIn: got "SUCCESS" (from -c or cdk.json context); expected a comma-separated list (or JSON array) of at most 2 of "SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"; empty or "none" for no items.'],
    ['removal policy', { dataRemovalPolicy: 'delete' }, 'dataRemovalPolicy: got "delete" (from -c or cdk.json context); expected one of "retain", "destroy".'],
    ['stage with capitals', { stage: 'Prod' }, 'stage: got "Prod" (from -c or cdk.json context); expected lowercase letters, digits and hyphens, starting with a letter, at most 20 characters.'],
    ['model data not in S3', { modelDataUrl: 'https://example.com/model.tar.gz' }, 'modelDataUrl: got "https://example.com/model.tar.gz" (from -c or cdk.json context); expected an S3 URL of a .tar.gz object, such as "s3://my-models/pegasus/model.tar.gz", or empty to leave it unset.'],
    ['image from Docker Hub', { image: 'docker.io/huggingface/transformers:latest' }, 'image: got "docker.io/huggingface/transformers:latest" (from -c or cdk.json context); expected an image tag such as "2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04", or an ECR URI "<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>".'],
    ['revision with model data', { modelRevision: 'main', modelDataUrl: 's3://models/p/model.tar.gz' }, 'modelRevision: got "main"; a Hub revision has no effect when modelDataUrl ("s3://models/p/model.tar.gz") is set. Unset one of them.'],
    ['retention above ten years', { dataRetentionDays: '4000' }, 'dataRetentionDays: got "4000" (from -c or cdk.json context); expected an integer from 0 to 3650.'],
    ['alarm window too short', { backlogWithoutCapacityAlarmMinutes: '1' }, 'backlogWithoutCapacityAlarmMinutes: got "1" (from -c or cdk.json context); expected an integer from 3 to 120.'],
    ['pipeline concurrency below the SQS minimum', { pipelineMaxConcurrency: '1' }, 'pipelineMaxConcurrency: got "1" (from -c or cdk.json context); expected an integer from 2 to 100.'],
    ['volume encryption mode', { volumeKmsEncryption: 'yes' }, 'volumeKmsEncryption: got "yes" (from -c or cdk.json context); expected one of "auto", "always", "never".'],
    // Pinning, staging, isolation and VPC placement.
    ['another model without a revision', { modelId: 'google/pegasus-xsum' }, 'modelRevision: not set for modelId "google/pegasus-xsum"; expected the 40-character commit hash to pin it to (the "Files and versions" history on the Hub lists them; only google/pegasus-large has a pinned default).'],
    ['a branch without allowUnpinnedModel', { modelRevision: 'main' }, 'modelRevision: got "main"; expected a 40-character commit hash, so a new commit on the Hub cannot change summaries without a deploy. To follow a branch or tag on purpose, set allowUnpinnedModel=true.'],
    ['a short commit hash', { modelRevision: '9392820' }, 'modelRevision: got "9392820"; expected a 40-character commit hash, so a new commit on the Hub cannot change summaries without a deploy. To follow a branch or tag on purpose, set allowUnpinnedModel=true.'],
    ['a staged model on a branch, even allowed unpinned', { modelSource: 'staged', modelRevision: 'main', allowUnpinnedModel: 'true' }, 'modelRevision: got "main"; a staged model is one fixed commit: expected its 40-character commit hash (`npx summarizer stage-model google/pegasus-large@main` prints it).'],
    ['network isolation for a Hub model', { networkIsolation: 'on' }, 'networkIsolation: got "on"; a Hub model (modelSource "hub") is downloaded by the container at start (HF_MODEL_ID), which network isolation blocks. Stage it first (`npx summarizer stage-model google/pegasus-large@93928205c2e26274f82e637a8e10033be1e1e975`) and set modelSource=staged, or use networkIsolation=auto.'],
    ['a model source that is no prefix', { modelSource: 's3://my-models/pegasus/model.tar.gz' }, 'modelSource: got "s3://my-models/pegasus/model.tar.gz" (from -c or cdk.json context); expected "hub", "staged", or an S3 prefix ending in "/", such as "s3://my-models/google/pegasus-large/93928205c2e26274f82e637a8e10033be1e1e975/".'],
    ['a staged model and model data', { modelSource: 'staged', modelDataUrl: 's3://models/p/model.tar.gz', modelRevision: '' }, 'modelSource: got "staged"; modelDataUrl ("s3://models/p/model.tar.gz") already says where the model comes from. Unset one of them.'],
    ['a subnet id that is not one', { vpcSubnetIds: 'subnet-12345' }, 'vpcSubnetIds: got "subnet-12345" (from -c or cdk.json context); expected a comma-separated list (or JSON array) of at most 16 subnet ids such as "subnet-0123456789abcdef0"; empty or "none" for no items.'],
    ['subnets without security groups', { vpcSubnetIds: 'subnet-0123456789abcdef0' }, "vpcSecurityGroupIds: empty while vpcSubnetIds is set (subnet-0123456789abcdef0); SageMaker needs at least one security group for the model's network interfaces."],
    ['security groups without subnets', { vpcSecurityGroupIds: 'sg-0123456789abcdef0' }, 'vpcSubnetIds: empty while vpcSecurityGroupIds is set (sg-0123456789abcdef0); security groups need subnets to place the model in.'],
    ['too many security groups', { vpcSecurityGroupIds: 'sg-00000001,sg-00000002,sg-00000003,sg-00000004,sg-00000005,sg-00000006' }, 'vpcSecurityGroupIds: got "sg-00000001,sg-00000002,sg-00000003,sg-00000004,sg-00000005,sg-00000006" (from -c or cdk.json context); expected a comma-separated list (or JSON array) of at most 5 security group ids such as "sg-0123456789abcdef0"; empty or "none" for no items.'],
  ];

  test.each(cases)('%s', (_name, context, message) => {
    expect(problemsOf(context)).toEqual([message]);
  });

  test('a branch is accepted for a Hub model with allowUnpinnedModel', () => {
    expect(loadConfig({ modelRevision: 'main', allowUnpinnedModel: 'true' }).modelRevision).toBe('main');
  });

  test('a staged model in this bucket or under an S3 prefix, isolated by default', () => {
    expect(loadConfig({ modelSource: 'staged' })).toMatchObject({ modelSource: 'staged', networkIsolation: 'auto', modelRevision: DEFAULT_MODEL_REVISION });
    const prefix = 's3://my-models/google/pegasus-large/93928205c2e26274f82e637a8e10033be1e1e975/';
    expect(loadConfig({ modelSource: prefix, modelDataKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }).modelSource).toBe(prefix);
  });

  test('VPC placement takes subnets and security groups together', () => {
    const c = loadConfig({ vpcSubnetIds: 'subnet-0123456789abcdef0,subnet-89abcdef', vpcSecurityGroupIds: ['sg-0123456789abcdef0'] });
    expect(c.vpcSubnetIds).toEqual(['subnet-0123456789abcdef0', 'subnet-89abcdef']);
    expect(c.vpcSecurityGroupIds).toEqual(['sg-0123456789abcdef0']);
  });

  test('an unknown key is rejected with the closest key suggested', () => {
    const [problem] = problemsOf({ maxCapcity: '3' });
    expect(problem).toMatch(/^unknown key "maxCapcity" \(from -c or cdk.json context\)\. Did you mean "maxCapacity"\? Allowed keys: stage, securityProfile, modelId, /);
  });

  test('a key in the wrong case is suggested in the right case', () => {
    expect(problemsOf({ instancetype: 'ml.g5.xlarge' })[0]).toContain('Did you mean "instanceType"?');
  });

  test('an unknown key with no close match gets no suggestion', () => {
    const [problem] = problemsOf({ banana: '1' });
    expect(problem).toMatch(/^unknown key "banana"/);
    expect(problem).not.toContain('Did you mean');
  });

  test('every problem is reported at once', () => {
    expect(problemsOf({ maxCapacity: '0', instanceType: 'x', colour: 'blue' })).toHaveLength(3);
  });

  test('the error message lists the problems and says nothing was synthesized', () => {
    expect(() => loadConfig({ maxCapacity: '0' })).toThrow(
      /^Invalid configuration \(1 problem\); nothing was synthesized:\n {2}- maxCapacity: got "0"/,
    );
  });

  test('a missing config file', () => {
    expect(problemsOf({ config: 'missing.json' })).toEqual([
      `config: cannot read "missing.json" (ENOENT: no such file or directory, open 'missing.json').`,
    ]);
  });

  test('a config file that is not JSON', () => {
    expect(problemsOf({ config: 'bad.json' }, { 'bad.json': '{ maxCapacity: 3 }' })[0]).toMatch(
      /^config: "bad.json" is not valid JSON \(/,
    );
  });

  test('a config file that is not an object', () => {
    expect(problemsOf({ config: 'list.json' }, { 'list.json': '[1, 2]' })).toEqual([
      'config: "list.json" must hold a JSON object of configuration keys.',
    ]);
  });

  test('an unknown key and a bad value in a config file name the file', () => {
    expect(problemsOf({ config: 'c.json' }, { 'c.json': JSON.stringify({ maxCapacity: 0, stg: 'x' }) })).toEqual([
      expect.stringMatching(/^unknown key "stg" \(in config file "c.json"\)\. Did you mean "stage"\?/),
      'maxCapacity: got 0 (in config file "c.json"); expected an integer from 1 to 100.',
    ]);
  });
});

test('every key has a description, an allowed-values text and a default that passes its own check', () => {
  for (const key of CONFIG_KEYS) {
    const spec = CONFIG_SCHEMA[key];
    expect(spec.description.length).toBeGreaterThan(10);
    expect(spec.allowed.length).toBeGreaterThan(3);
    if (spec.default !== undefined) expect(spec.parse(spec.default)).toEqual({ ok: true, value: spec.default });
  }
});

test('hfTask: a custom task on purpose is passed without its prefix', () => {
  expect(loadConfig({ hfTask: 'custom:my-task' }).hfTask).toBe('my-task');
  expect(loadConfig({ hfTask: 'text2text-generation' }).hfTask).toBe('text2text-generation');
});

describe('securityProfile=regulated', () => {
  const REGULATED = REGULATED_CONTEXT;

  test('a complete regulated configuration is accepted', () => {
    expect(loadConfig(REGULATED).securityProfile).toBe('regulated');
  });

  test.each([
    ['modelSource', { modelSource: 'hub' }, 'modelSource: got "hub"; securityProfile=regulated requires a staged model, pinned and loaded without the Hub: "staged" (after `npx summarizer stage-model google/pegasus-large@93928205c2e26274f82e637a8e10033be1e1e975`) or an s3:// prefix.'],
    ['networkIsolation', { networkIsolation: 'off' }, 'networkIsolation: got "off"; securityProfile=regulated requires "auto" or "on": the model container has no network access.'],
    ['vpcSubnetIds', { vpcSubnetIds: '', vpcSecurityGroupIds: '' }, 'vpcSubnetIds: got ""; securityProfile=regulated requires subnets of your VPC for the model (and vpcSecurityGroupIds).'],
    ['terminationProtection', { terminationProtection: 'false' }, 'terminationProtection: got false; securityProfile=regulated requires true: the stack cannot be deleted by mistake.'],
    ['deletionProtection', { deletionProtection: 'false' }, 'deletionProtection: got false; securityProfile=regulated requires true: the summaries table cannot be deleted by mistake.'],
    ['dataRemovalPolicy', { dataRemovalPolicy: 'destroy' }, 'dataRemovalPolicy: got "destroy"; securityProfile=regulated requires "retain": documents, results and keys outlive the stack.'],
    ['imageDigest', { imageDigest: '' }, 'imageDigest: got nothing; securityProfile=regulated requires the image pinned by digest (imageDigest, or an ECR URI ending in @sha256:…): a tag can be moved to another image.'],
    ['alarmEmails', { alarmEmails: '' }, 'alarmEmails: got ""; securityProfile=regulated requires at least one address subscribed to the alarms.'],
    ['keyAdminArns', { keyAdminArns: '', keyUserArns: '' }, 'keyAdminArns: got ""; securityProfile=regulated requires the IAM principals that administer the keys, so administration and use are separated (and keyUserArns for those who read results).'],
  ])('without %s, synth fails naming it', (_key, override, message) => {
    expect(problemsOf({ ...REGULATED, ...override })).toEqual([message]);
  });

  test('the default profile reports every missing setting at once', () => {
    expect(problemsOf({ securityProfile: 'regulated' })).toHaveLength(7); // all but networkIsolation and dataRemovalPolicy, whose defaults qualify
  });

  test('an image URI pinned by digest satisfies it', () => {
    const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/pegasus@sha256:${'b'.repeat(64)}`;
    expect(loadConfig({ ...REGULATED, imageDigest: '', image }).image).toBe(image);
  });

  test('imageDigest with a full ECR URI is refused: pin it in the URI', () => {
    expect(problemsOf({ imageDigest: `sha256:${'a'.repeat(64)}`, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/pegasus:v1' })[0]).toContain('imageDigest: got "sha256:');
  });
});
