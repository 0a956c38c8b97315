import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { SummarizerConfig } from '../../lib/config/schema';
import { ECR_IMAGE_URI } from '../../lib/config/schema';
import { stageModelCommand } from '../../lib/config/load';
import { stackName } from '../../lib/stack-name';
import { isNotFound } from '../../common/s3-errors';
import { parseS3Url } from '../../common/summary-record';
import { manifestKeyOf, parseStagedManifest, stagedPrefix } from '../../common/staged-model';
import { mapPoolFailFast } from '../../common/concurrency';
import { readStackOutputs } from '../stack-outputs';
import { HF_DLC_REGISTRY_ACCOUNTS, HF_INFERENCE_REPOSITORY, UNCONFIRMED_HF_DLC_REGISTRY_ACCOUNTS } from '../../lib/constructs/inference-image';

/**
 * `summarizer preflight`: what a first deploy needs from the account and region, checked before
 * a deploy that would otherwise fail after a long wait (a GPU quota of 0 surfaces only when the
 * endpoint's first instance cannot start).
 */
export type CheckResult = 'pass' | 'warn' | 'fail';

export interface Check {
  readonly name: string;
  readonly result: CheckResult;
  readonly detail: string;
}

export interface PreflightDeps {
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly serviceQuotas: ServiceQuotasClient;
  readonly ecr: ECRClient;
  readonly ssm: SSMClient;
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly cloudFormation: CloudFormationClient;
  readonly ec2: EC2Client;
}

/** The CDK bootstrap's version parameter for the default qualifier (CDK Developer Guide, "Bootstrapping"). */
export const BOOTSTRAP_VERSION_PARAMETER = '/cdk-bootstrap/hnb659fds/version';
/** Application Auto Scaling's role for SageMaker endpoints (Application Auto Scaling User Guide, service-linked roles). */
export const SCALING_SERVICE_LINKED_ROLE = 'AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint';
const SCALING_SERVICE = 'sagemaker.application-autoscaling.amazonaws.com';

const describe = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;

/** "ml.g5.xlarge for endpoint usage" ≥ maxCapacity (Service Quotas, service code sagemaker). */
async function checkQuota(config: SummarizerConfig, deps: PreflightDeps): Promise<Check> {
  const name = `${config.instanceType} for endpoint usage`;
  const check = 'GPU quota';
  try {
    let next: string | undefined;
    do {
      const page = await deps.serviceQuotas.send(new ListServiceQuotasCommand({ ServiceCode: 'sagemaker', NextToken: next }));
      const quota = page.Quotas?.find((q) => q.QuotaName === name);
      if (quota) {
        const value = quota.Value ?? 0;
        return value >= config.maxCapacity
          ? { name: check, result: 'pass', detail: `"${name}" is ${value}, enough for maxCapacity ${config.maxCapacity}` }
          : {
              name: check,
              result: 'fail',
              detail: `"${name}" is ${value}, below maxCapacity ${config.maxCapacity}: request an increase (Service Quotas → Amazon SageMaker → "${name}"${quota.QuotaCode ? `, code ${quota.QuotaCode}` : ''}) or lower maxCapacity`,
            };
      }
      next = page.NextToken;
    } while (next);
    return { name: check, result: 'warn', detail: `no quota named "${name}" in this region: check the instance type is offered here` };
  } catch (e) {
    return { name: check, result: 'warn', detail: `could not read the quota (${describe(e)})` };
  }
}

/** The image the model will run exists in the registry the stack's mapping names for this region. */
async function checkImage(config: SummarizerConfig, region: string, deps: PreflightDeps): Promise<Check> {
  const check = 'inference image';
  let registryId: string;
  let repositoryName: string;
  let tag: string | undefined;
  let digest: string | undefined;
  const uri = ECR_IMAGE_URI.exec(config.image);
  if (uri) {
    [registryId, repositoryName, tag, digest] = [uri[1], uri[4], uri[5], uri[6]];
  } else {
    const account = HF_DLC_REGISTRY_ACCOUNTS[region] ?? UNCONFIRMED_HF_DLC_REGISTRY_ACCOUNTS[region];
    if (!account) return { name: check, result: 'fail', detail: `no Hugging Face DLC registry is known for ${region}: deploy to another region or set image to a full ECR URI` };
    [registryId, repositoryName, tag] = [account, HF_INFERENCE_REPOSITORY, config.image];
  }
  const shown = `${registryId}/${repositoryName}${tag ? `:${tag}` : `@${digest}`}`;
  try {
    await deps.ecr.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [tag ? { imageTag: tag } : { imageDigest: digest }] }));
    return { name: check, result: 'pass', detail: `${shown} exists` };
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') {
      return { name: check, result: 'fail', detail: `${shown} does not exist in ${region} (${name}): pick a tag the registry has` };
    }
    return { name: check, result: 'warn', detail: `could not check ${shown} (${describe(e)}); SageMaker pulls it with the execution role at deploy time` };
  }
}

async function checkBootstrap(deps: PreflightDeps): Promise<Check> {
  const check = 'CDK bootstrap';
  try {
    const version = (await deps.ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }))).Parameter?.Value;
    return { name: check, result: 'pass', detail: `bootstrapped (version ${version})` };
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') return { name: check, result: 'fail', detail: 'this account and region are not bootstrapped: run npx cdk bootstrap' };
    return { name: check, result: 'warn', detail: `could not read ${BOOTSTRAP_VERSION_PARAMETER} (${describe(e)})` };
  }
}

/** The role exists, or the caller may create it (IAM policy simulation of iam:CreateServiceLinkedRole). */
async function checkScalingRole(deps: PreflightDeps): Promise<Check> {
  const check = 'auto scaling role';
  try {
    await deps.iam.send(new GetRoleCommand({ RoleName: SCALING_SERVICE_LINKED_ROLE }));
    return { name: check, result: 'pass', detail: `${SCALING_SERVICE_LINKED_ROLE} exists` };
  } catch (e) {
    if ((e as Error).name !== 'NoSuchEntityException') return { name: check, result: 'warn', detail: `could not read ${SCALING_SERVICE_LINKED_ROLE} (${describe(e)})` };
  }
  try {
    const caller = (await deps.sts.send(new GetCallerIdentityCommand({}))).Arn ?? '';
    // An assumed role's session ARN names the role it came from (a role with a path would need that path).
    const principal = caller.replace(/^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\/.*$/, 'arn:$1:iam::$2:role/$3');
    const simulation = await deps.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: principal,
        ActionNames: ['iam:CreateServiceLinkedRole'],
        ResourceArns: [`arn:${caller.split(':')[1] ?? 'aws'}:iam::${caller.split(':')[4]}:role/aws-service-role/${SCALING_SERVICE}/${SCALING_SERVICE_LINKED_ROLE}`],
        ContextEntries: [{ ContextKeyName: 'iam:AWSServiceName', ContextKeyType: 'string', ContextKeyValues: [SCALING_SERVICE] }],
      }),
    );
    const allowed = simulation.EvaluationResults?.[0]?.EvalDecision === 'allowed';
    return allowed
      ? { name: check, result: 'pass', detail: `${SCALING_SERVICE_LINKED_ROLE} does not exist yet; the first deploy creates it (you may)` }
      : {
          name: check,
          result: 'fail',
          detail: `${SCALING_SERVICE_LINKED_ROLE} does not exist and ${principal} may not create it: allow iam:CreateServiceLinkedRole for ${SCALING_SERVICE}, or have an administrator run aws iam create-service-linked-role --aws-service-name ${SCALING_SERVICE}`,
        };
  } catch (e) {
    return { name: check, result: 'warn', detail: `${SCALING_SERVICE_LINKED_ROLE} does not exist yet and whether you may create it could not be checked (${describe(e)})` };
  }
}

/**
 * With modelDataUrl: the artifact exists, and if a customer-managed KMS key encrypts it, that key
 * is the configured modelDataKmsKeyArn (without it the function that adds the handler cannot
 * decrypt the artifact, and the deploy fails at the custom resource). An AWS-managed key
 * (aws/s3) needs nothing: its key policy lets any principal of the account use it through S3.
 */
async function checkModelArtifact(config: SummarizerConfig, deps: PreflightDeps): Promise<Check | undefined> {
  if (config.modelDataUrl === undefined) return undefined;
  const check = 'model artifact';
  const { bucket, key } = parseS3Url(config.modelDataUrl)!;
  let head;
  try {
    head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (e) {
    if ((e as Error).name === 'NotFound') return { name: check, result: 'fail', detail: `${config.modelDataUrl} does not exist: check modelDataUrl` };
    return { name: check, result: 'warn', detail: `could not read ${config.modelDataUrl} (${describe(e)}); the deploy reads it with its own role` };
  }
  const keyId = head.ServerSideEncryption === 'aws:kms' || head.ServerSideEncryption === 'aws:kms:dsse' ? head.SSEKMSKeyId : undefined;
  if (keyId === undefined) return { name: check, result: 'pass', detail: `${config.modelDataUrl} exists (${head.ServerSideEncryption ?? 'no'} encryption)` };
  if (config.modelDataKmsKeyArn === keyId) return { name: check, result: 'pass', detail: `${config.modelDataUrl} exists, encrypted with modelDataKmsKeyArn` };
  let manager: string | undefined;
  try {
    manager = (await deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyManager;
  } catch (e) {
    return { name: check, result: 'warn', detail: `${config.modelDataUrl} is encrypted with ${keyId}, which could not be described (${describe(e)}): if it is a customer-managed key, set -c modelDataKmsKeyArn=${keyId}` };
  }
  if (manager === 'AWS') return { name: check, result: 'pass', detail: `${config.modelDataUrl} exists, encrypted with the AWS-managed key ${keyId}` };
  return {
    name: check,
    result: 'fail',
    detail:
      config.modelDataKmsKeyArn === undefined
        ? `${config.modelDataUrl} is encrypted with the customer-managed key ${keyId}: set -c modelDataKmsKeyArn=${keyId} so the deploy may decrypt it`
        : `${config.modelDataUrl} is encrypted with ${keyId}, not with modelDataKmsKeyArn (${config.modelDataKmsKeyArn}): set it to ${keyId}`,
  };
}

/** Where the configured staged model is: this stack's bucket (from its outputs) or the s3:// prefix. */
async function stagedLocation(config: SummarizerConfig, deps: PreflightDeps): Promise<{ bucket: string; prefix: string } | string> {
  if (config.modelSource !== 'staged') {
    const { bucket, key: prefix } = parseS3Url(config.modelSource)!;
    return { bucket, prefix };
  }
  try {
    const outputs = await readStackOutputs(deps.cloudFormation, { stage: config.stage });
    if (!outputs.BucketName) return `the stack ${stackName(config.stage)} has no BucketName output`;
    return { bucket: outputs.BucketName, prefix: stagedPrefix(config.modelId, config.modelRevision!) };
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * modelSource staged or s3://: the manifest `stage-model` writes last is there, for the configured
 * model and commit, and every file it lists is there with its size. Synth cannot look (it makes
 * no AWS calls); without this the deploy fails at the copy step, after the stack began updating.
 */
async function checkStagedModel(config: SummarizerConfig, deps: PreflightDeps): Promise<Check | undefined> {
  if (config.modelSource === 'hub' || config.modelDataUrl !== undefined) return undefined;
  const check = 'staged model';
  const command = stageModelCommand(config);
  const where = await stagedLocation(config, deps);
  if (typeof where === 'string') {
    return {
      name: check,
      result: 'fail',
      detail: `modelSource=staged reads the stack's own bucket, which cannot be found (${where}). Deploy with modelSource=hub first, then run \`${command}\`; or stage into a bucket of yours with --to and set modelSource to that s3:// prefix`,
    };
  }
  const url = `s3://${where.bucket}/${where.prefix}`;
  const key = manifestKeyOf(where.prefix);
  let manifest;
  try {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: where.bucket, Key: key }));
    manifest = parseStagedManifest(await object.Body!.transformToString('utf8'), `s3://${where.bucket}/${key}`);
  } catch (e) {
    if (isNotFound(e)) return { name: check, result: 'fail', detail: `${config.modelId}@${config.modelRevision} is not staged in ${url}: run \`${command}\`` };
    return { name: check, result: 'fail', detail: `cannot read s3://${where.bucket}/${key} (${describe(e)}): run \`${command}\`, or check your access to the bucket` };
  }
  if (manifest.modelId !== config.modelId || manifest.revision !== config.modelRevision) {
    return { name: check, result: 'fail', detail: `${url} holds ${manifest.modelId}@${manifest.revision}, not ${config.modelId}@${config.modelRevision}: run \`${command}\`` };
  }
  const problems: string[] = [];
  await mapPoolFailFast(manifest.files, 8, async (file) => {
    try {
      const head = await deps.s3.send(new HeadObjectCommand({ Bucket: where.bucket, Key: where.prefix + file.path }));
      if (head.ContentLength !== file.size) problems.push(`${file.path} is ${head.ContentLength} bytes, not ${file.size}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      problems.push(`${file.path} is missing`);
    }
  }).catch((e) => problems.push(`could not check the files (${describe(e)})`));
  if (problems.length > 0) return { name: check, result: 'fail', detail: `the staged copy in ${url} is incomplete (${problems.sort().join('; ')}): run \`${command}\`` };
  const gb = manifest.files.reduce((sum, f) => sum + f.size, 0) / 1e9;
  return { name: check, result: 'pass', detail: `${config.modelId}@${config.modelRevision.slice(0, 12)} is staged in ${url} (${manifest.files.length} files, ${gb.toFixed(2)} GB)` };
}

/**
 * vpcSubnetIds and vpcSecurityGroupIds: they exist, the subnets are all in one VPC (SageMaker places
 * a model in one VPC) and the security groups belong to it. Synth only checks their form.
 */
async function checkVpc(config: SummarizerConfig, deps: PreflightDeps): Promise<Check | undefined> {
  if (config.vpcSubnetIds.length === 0) return undefined;
  const check = 'VPC placement';
  try {
    const subnets = (await deps.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...config.vpcSubnetIds] }))).Subnets ?? [];
    const vpcs = [...new Set(subnets.map((s) => s.VpcId))];
    if (vpcs.length !== 1) {
      return { name: check, result: 'fail', detail: `the subnets are in ${vpcs.length} VPCs (${subnets.map((s) => `${s.SubnetId} in ${s.VpcId}`).join(', ')}); SageMaker places a model in one VPC: list subnets of one VPC in vpcSubnetIds` };
    }
    const groups = (await deps.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...config.vpcSecurityGroupIds] }))).SecurityGroups ?? [];
    const elsewhere = groups.filter((g) => g.VpcId !== vpcs[0]);
    if (elsewhere.length > 0) {
      return { name: check, result: 'fail', detail: `security group${elsewhere.length > 1 ? 's' : ''} ${elsewhere.map((g) => `${g.GroupId} (in ${g.VpcId})`).join(', ')} not in the subnets' VPC ${vpcs[0]}` };
    }
    const zones = new Set(subnets.map((s) => s.AvailabilityZone)).size;
    return {
      name: check,
      result: zones > 1 ? 'pass' : 'warn',
      detail: `${subnets.length} subnet${subnets.length > 1 ? 's' : ''} in ${vpcs[0]} across ${zones} Availability Zone${zones > 1 ? 's' : ''}${zones > 1 ? '' : ' (a second zone keeps the endpoint up when one fails)'}; the VPC needs the endpoints in README "Models"`,
    };
  } catch (e) {
    const name = (e as Error).name;
    if (/InvalidSubnetID|InvalidGroup/.test(name)) return { name: check, result: 'fail', detail: `${(e as Error).message} (check vpcSubnetIds and vpcSecurityGroupIds in this region)` };
    return { name: check, result: 'warn', detail: `could not describe the subnets (${describe(e)})` };
  }
}

/** Nobody subscribed to the alarms: a failed scale-out or a stuck backlog would go unnoticed. */
function checkAlarmSubscription(config: SummarizerConfig): Check {
  return config.alarmEmails.length > 0
    ? { name: 'alarm subscription', result: 'pass', detail: `alarms go to ${config.alarmEmails.join(', ')} (each must confirm SNS's e-mail)` }
    : {
        name: 'alarm subscription',
        result: 'warn',
        detail: 'alarmEmails is empty: nobody is told when the endpoint cannot scale out or requests back up. Set -c alarmEmails=you@example.com (or run summarizer subscribe --operations after the deploy)',
      };
}

/** Every check, each on its own (one failing or unreadable never hides the others). */
export async function preflight(config: SummarizerConfig, region: string, deps: PreflightDeps): Promise<Check[]> {
  const checks = await Promise.all([checkQuota(config, deps), checkImage(config, region, deps), checkBootstrap(deps), checkScalingRole(deps), checkModelArtifact(config, deps), checkStagedModel(config, deps), checkVpc(config, deps), checkAlarmSubscription(config)]);
  return checks.filter((c): c is Check => c !== undefined);
}

export function formatChecks(checks: readonly Check[]): string {
  const mark: Record<CheckResult, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };
  const lines = checks.map((c) => `${mark[c.result]}  ${c.name.padEnd(18)} ${c.detail}`);
  const failed = checks.filter((c) => c.result === 'fail').length;
  return `${lines.join('\n')}\n${failed === 0 ? 'ready to deploy' : `${failed} check${failed === 1 ? '' : 's'} failed: fix ${failed === 1 ? 'it' : 'them'} before deploying`}\n`;
}
