import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_OUTPUTS, runCli, stackOutputs } from '../helpers/cli';
import { s3Body } from '../helpers/lambda';

const quotas = mockClient(ServiceQuotasClient);
const ecr = mockClient(ECRClient);
const ssm = mockClient(SSMClient);
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
const aws = (name: string) => Object.assign(new Error(name), { name });

beforeEach(() => {
  for (const m of [quotas, ecr, ssm, iam, sts]) m.reset();
  quotas
    .on(ListServiceQuotasCommand, { NextToken: undefined })
    .resolves({ Quotas: [{ QuotaName: 'ml.g4dn.xlarge for endpoint usage', Value: 2 }], NextToken: 'p2' })
    .on(ListServiceQuotasCommand, { NextToken: 'p2' })
    .resolves({ Quotas: [{ QuotaName: 'ml.g5.xlarge for endpoint usage', Value: 8, QuotaCode: 'L-ABC' }] });
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['x'] }] });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '27' } });
  iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'r', Path: '/', RoleId: 'id', Arn: 'arn', CreateDate: new Date() } });
});

test('all checks pass: quota (every page read), image, bootstrap, scaling role; exit 0', async () => {
  const { code, out } = await runCli(['--region', 'eu-west-1', 'preflight']);
  expect(code).toBe(0);
  expect(out).toContain('preflight for PegasusSummarizer-dev in eu-west-1: ml.g5.xlarge × up to 5');
  expect(out).toContain('PASS  GPU quota          "ml.g5.xlarge for endpoint usage" is 8, enough for maxCapacity 5');
  expect(out).toContain('PASS  inference image    763104351884/huggingface-pytorch-inference:2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04 exists');
  expect(out).toContain('PASS  CDK bootstrap      bootstrapped (version 27)');
  expect(out).toContain('PASS  auto scaling role  AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint exists');
  expect(out).toContain('WARN  alarm subscription alarmEmails is empty: nobody is told when the endpoint cannot scale out or requests back up. Set -c alarmEmails=you@example.com');
  expect(out).toContain('ready to deploy');
  expect((await runCli(['--region', 'eu-west-1', 'preflight', '--context', 'alarmEmails=oncall@example.com'])).out).toContain('PASS  alarm subscription alarms go to oncall@example.com');
  expect(quotas).toHaveReceivedCommandWith(ListServiceQuotasCommand, { ServiceCode: 'sagemaker' });
  expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { registryId: '763104351884', repositoryName: 'huggingface-pytorch-inference', imageIds: [{ imageTag: '2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04' }] });
});

test('a new account: quota 0 for the GPU, not bootstrapped, image tag missing → FAIL lines with what to do, exit 1', async () => {
  quotas.reset();
  quotas.on(ListServiceQuotasCommand).resolves({ Quotas: [{ QuotaName: 'ml.g5.xlarge for endpoint usage', Value: 0, QuotaCode: 'L-ABC' }] });
  ssm.on(GetParameterCommand).rejects(aws('ParameterNotFound'));
  ecr.on(DescribeImagesCommand).rejects(aws('ImageNotFoundException'));
  const { code, out } = await runCli(['--region', 'us-east-1', 'preflight', '--context', 'image=2.6.0-no-such-tag']);
  expect(code).toBe(1);
  expect(out).toContain('FAIL  GPU quota          "ml.g5.xlarge for endpoint usage" is 0, below maxCapacity 5: request an increase (Service Quotas → Amazon SageMaker → "ml.g5.xlarge for endpoint usage", code L-ABC) or lower maxCapacity');
  expect(out).toContain('FAIL  inference image    763104351884/huggingface-pytorch-inference:2.6.0-no-such-tag does not exist in us-east-1 (ImageNotFoundException)');
  expect(out).toContain('FAIL  CDK bootstrap      this account and region are not bootstrapped: run npx cdk bootstrap');
  expect(out).toContain('3 checks failed: fix them before deploying');
});

test('configuration comes from cdk.json and --context, validated as synth would', async () => {
  const { code, out } = await runCli(['--region', 'eu-west-1', 'preflight', '--context', 'instanceType=ml.g4dn.xlarge', '--context', 'maxCapacity=3']);
  expect(code).toBe(1);
  expect(out).toContain('FAIL  GPU quota          "ml.g4dn.xlarge for endpoint usage" is 2, below maxCapacity 3');
  const invalid = await runCli(['--region', 'eu-west-1', 'preflight', '--context', 'maxCapacity=0']);
  expect(invalid.code).toBe(1);
  expect(invalid.err).toContain('maxCapacity: got "0"');
});

test('a region with no known DLC registry fails; an ECR URI is checked in its own registry', async () => {
  expect((await runCli(['--region', 'xx-nowhere-1', 'preflight'])).out).toContain('FAIL  inference image    no Hugging Face DLC registry is known for xx-nowhere-1');
  await runCli(['--region', 'eu-west-1', 'preflight', '--context', 'image=111122223333.dkr.ecr.eu-west-1.amazonaws.com/my/pegasus:v3']);
  expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { registryId: '111122223333', repositoryName: 'my/pegasus', imageIds: [{ imageTag: 'v3' }] });
});

test('the scaling role: missing but creatable passes; missing and not creatable fails; unreadable warns', async () => {
  iam.on(GetRoleCommand).rejects(aws('NoSuchEntityException'));
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::111122223333:assumed-role/Deployer/ci-session' });
  iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: 'iam:CreateServiceLinkedRole', EvalDecision: 'allowed' }] });
  expect((await runCli(['--region', 'eu-west-1', 'preflight'])).out).toContain('PASS  auto scaling role  AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint does not exist yet; the first deploy creates it');
  expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
    PolicySourceArn: 'arn:aws:iam::111122223333:role/Deployer',
    ActionNames: ['iam:CreateServiceLinkedRole'],
    ContextEntries: [{ ContextKeyName: 'iam:AWSServiceName', ContextKeyType: 'string', ContextKeyValues: ['sagemaker.application-autoscaling.amazonaws.com'] }],
  });
  iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: 'iam:CreateServiceLinkedRole', EvalDecision: 'implicitDeny' }] });
  const denied = await runCli(['--region', 'eu-west-1', 'preflight']);
  expect(denied.code).toBe(1);
  expect(denied.out).toContain('may not create it: allow iam:CreateServiceLinkedRole');
  iam.on(SimulatePrincipalPolicyCommand).rejects(aws('AccessDenied'));
  const unknown = await runCli(['--region', 'eu-west-1', 'preflight']);
  expect(unknown.code).toBe(0); // a warning, not a failure
  expect(unknown.out).toContain('WARN  auto scaling role');
});

describe('with modelDataUrl: the artifact, and the key that encrypts it', () => {
  const s3 = mockClient(S3Client);
  const kms = mockClient(KMSClient);
  const URL = 's3://research-models/pegasus/model.tar.gz';
  const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const run = (...context: string[]) => runCli(['--region', 'eu-west-1', 'preflight', '--context', `modelDataUrl=${URL}`, ...context.flatMap((c) => ['--context', c])]);
  beforeEach(() => {
    s3.reset();
    kms.reset();
  });

  test('a customer-managed key that is not configured fails, naming the setting to add', async () => {
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY });
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(out).toContain(`FAIL  model artifact     ${URL} is encrypted with the customer-managed key ${KEY}: set -c modelDataKmsKeyArn=${KEY} so the deploy may decrypt it`);
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'research-models', Key: 'pegasus/model.tar.gz' });
  });

  test('configured, the AWS-managed key, or no KMS at all: pass', async () => {
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY });
    expect((await run(`modelDataKmsKeyArn=${KEY}`)).out).toContain(`PASS  model artifact     ${URL} exists, encrypted with modelDataKmsKeyArn`);
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'AWS' } });
    expect((await run()).out).toContain(`PASS  model artifact     ${URL} exists, encrypted with the AWS-managed key ${KEY}`);
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'AES256' });
    expect((await run()).out).toContain(`PASS  model artifact     ${URL} exists (AES256 encryption)`);
  });

  test('a missing artifact fails; one the operator may not read is a warning', async () => {
    s3.on(HeadObjectCommand).rejects(aws('NotFound'));
    expect((await run()).out).toContain(`FAIL  model artifact     ${URL} does not exist: check modelDataUrl`);
    s3.on(HeadObjectCommand).rejects(aws('Forbidden'));
    expect((await run()).out).toContain(`WARN  model artifact     could not read ${URL} (Forbidden: Forbidden); the deploy reads it with its own role`);
  });

  test('modelDataKmsKeyArn without modelDataUrl, or not a key ARN, fails as synth would', async () => {
    const alone = await runCli(['--region', 'eu-west-1', 'preflight', '--context', `modelDataKmsKeyArn=${KEY}`]);
    expect(alone.code).toBe(1);
    expect(alone.err).toContain(`modelDataKmsKeyArn: got "${KEY}"; it is the key of the modelDataUrl artifact or of an s3:// modelSource, and neither is set.`);
    const bad = await run('modelDataKmsKeyArn=alias/research');
    expect(bad.err).toContain('modelDataKmsKeyArn: got "alias/research" (from -c or cdk.json context); expected a KMS key ARN such as');
  });
});

describe('a staged model (modelSource staged or s3://)', () => {
  const s3 = mockClient(S3Client);
  const cloudFormation = mockClient(CloudFormationClient);
  const REVISION = '93928205c2e26274f82e637a8e10033be1e1e975';
  const PREFIX = `models/google/pegasus-large/${REVISION}/`;
  const manifest = (revision = REVISION) =>
    JSON.stringify({ format: 'summarizer-staged-model/1', modelId: 'google/pegasus-large', revision, stagedAt: 'x', files: [{ path: 'config.json', size: 10, sha256: '0'.repeat(64) }, { path: 'model.safetensors', size: 2_275_000_000, sha256: '1'.repeat(64) }] });
  const COMMAND = `npx summarizer stage-model google/pegasus-large@${REVISION}`;

  beforeEach(() => {
    s3.reset();
    cloudFormation.reset();
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
    s3.on(GetObjectCommand, { Bucket: 'docs-bucket', Key: `models/google/pegasus-large/${REVISION}.manifest.json` }).resolves({ Body: s3Body(manifest()) as never });
    s3.on(HeadObjectCommand, { Key: `${PREFIX}config.json` }).resolves({ ContentLength: 10 });
    s3.on(HeadObjectCommand, { Key: `${PREFIX}model.safetensors` }).resolves({ ContentLength: 2_275_000_000 });
  });
  afterAll(() => {
    s3.restore();
    cloudFormation.restore();
  });
  const preflight = (...context: string[]) => runCli(['--region', 'eu-west-1', 'preflight', '--context', 'modelSource=staged', ...context.flatMap((c) => ['--context', c])]);

  test("staged in the stack's bucket, every file there: PASS", async () => {
    const { out } = await preflight();
    expect(out).toContain(`PASS  staged model       google/pegasus-large@93928205c2e2 is staged in s3://docs-bucket/${PREFIX} (2 files, 2.28 GB)`);
  });

  test('not staged, or deleted after the deploy: FAIL naming the command', async () => {
    s3.on(GetObjectCommand).rejects(aws('NoSuchKey'));
    const { code, out } = await preflight();
    expect(code).toBe(1);
    expect(out).toContain(`FAIL  staged model       google/pegasus-large@${REVISION} is not staged in s3://docs-bucket/${PREFIX}: run \`${COMMAND}\``);
  });

  test('a file missing from the staged copy: FAIL naming it', async () => {
    s3.on(HeadObjectCommand, { Key: `${PREFIX}model.safetensors` }).rejects(aws('NotFound'));
    const { out } = await preflight();
    expect(out).toContain(`FAIL  staged model       the staged copy in s3://docs-bucket/${PREFIX} is incomplete (model.safetensors is missing): run \`${COMMAND}\``);
  });

  test('the stack is not deployed yet: FAIL saying to deploy a Hub model first or stage elsewhere', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id PegasusSummarizer-dev does not exist'), { name: 'ValidationError' }));
    const { out } = await preflight();
    expect(out).toMatch(/FAIL {2}staged model {7}modelSource=staged reads the stack's own bucket, which cannot be found \(stack "PegasusSummarizer-dev" does not exist.*\)\. Deploy with modelSource=hub first/);
  });

  test('an s3:// prefix is read where it is, with the --to command', async () => {
    s3.on(GetObjectCommand, { Bucket: 'my-models', Key: 'pegasus/large.manifest.json' }).resolves({ Body: s3Body(manifest('d'.repeat(40))) as never });
    const { out } = await runCli(['--region', 'eu-west-1', 'preflight', '--context', 'modelSource=s3://my-models/pegasus/large/']);
    expect(out).toContain(`FAIL  staged model       s3://my-models/pegasus/large/ holds google/pegasus-large@${'d'.repeat(40)}, not google/pegasus-large@${REVISION}: run \`${COMMAND} --to s3://my-models/pegasus/large/\``);
  });
});

describe('VPC placement', () => {
  const ec2 = mockClient(EC2Client);
  const vpc = ['--context', 'vpcSubnetIds=subnet-0123456789abcdef0,subnet-0123456789abcdef1', '--context', 'vpcSecurityGroupIds=sg-0123456789abcdef0'];
  beforeEach(() => ec2.reset());
  afterAll(() => ec2.restore());

  test('subnets of one VPC in two zones with a group of that VPC: PASS', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0123456789abcdef0', VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1a' }, { SubnetId: 'subnet-0123456789abcdef1', VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1b' }] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-0123456789abcdef0', VpcId: 'vpc-1' }] });
    expect((await runCli(['--region', 'eu-west-1', 'preflight', ...vpc])).out).toContain('PASS  VPC placement      2 subnets in vpc-1 across 2 Availability Zones');
  });

  test('subnets in different VPCs: FAIL naming each', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0123456789abcdef0', VpcId: 'vpc-1' }, { SubnetId: 'subnet-0123456789abcdef1', VpcId: 'vpc-2' }] });
    const { code, out } = await runCli(['--region', 'eu-west-1', 'preflight', ...vpc]);
    expect(code).toBe(1);
    expect(out).toContain('FAIL  VPC placement      the subnets are in 2 VPCs (subnet-0123456789abcdef0 in vpc-1, subnet-0123456789abcdef1 in vpc-2); SageMaker places a model in one VPC');
  });

  test('a security group of another VPC, or a subnet that does not exist: FAIL', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0123456789abcdef0', VpcId: 'vpc-1', AvailabilityZone: 'a' }, { SubnetId: 'subnet-0123456789abcdef1', VpcId: 'vpc-1', AvailabilityZone: 'a' }] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-0123456789abcdef0', VpcId: 'vpc-9' }] });
    expect((await runCli(['--region', 'eu-west-1', 'preflight', ...vpc])).out).toContain("FAIL  VPC placement      security group sg-0123456789abcdef0 (in vpc-9) not in the subnets' VPC vpc-1");
    ec2.on(DescribeSubnetsCommand).rejects(Object.assign(new Error("The subnet ID 'subnet-0123456789abcdef1' does not exist"), { name: 'InvalidSubnetID.NotFound' }));
    expect((await runCli(['--region', 'eu-west-1', 'preflight', ...vpc])).out).toContain("FAIL  VPC placement      The subnet ID 'subnet-0123456789abcdef1' does not exist");
  });
});
