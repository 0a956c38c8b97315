/* eslint-disable @typescript-eslint/no-explicit-any -- a synthesized template is untyped JSON */
import type { SummarizerConfig } from '../config/schema';
import { baseId, render, roleTrust, rolePermissions, statementLines, Template, withoutHashes } from './render';

/**
 * The security review (`npm run review`, docs/security-review.md): what a reviewer asks of a
 * template, generated from the synthesized template so it cannot drift from it. A test fails when
 * the committed file differs from what the current code synthesizes, so any widening shows up in
 * review as a diff of this document.
 */
export interface Acknowledgement {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

export interface ReviewInput {
  readonly template: Template;
  readonly config: SummarizerConfig;
  /** Where the configuration came from, e.g. `config/regulated.example.json`. */
  readonly configSource: string;
  readonly acknowledgements: readonly Acknowledgement[];
  /** The architecture diagram (Mermaid), also in the README. */
  readonly diagram: string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function resourcesOf(template: Template, type: string): Array<[string, Record<string, any>]> {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [baseId(id), r.Properties ?? {}] as [string, Record<string, any>])
    .sort(([a], [b]) => a.localeCompare(b));
}

function keyName(value: unknown): string {
  if (value === undefined) return 'none';
  const text = render(value);
  return text.replace(/\{(\w+?)(\.Arn)?\}/, '$1');
}

function encryption(template: Template): string[] {
  const rows: string[] = [];
  for (const [id, p] of resourcesOf(template, 'AWS::S3::Bucket')) {
    const rule = p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault ?? {};
    rows.push(`| S3 bucket ${id} | ${rule.SSEAlgorithm ?? 'none'} | ${keyName(rule.KMSMasterKeyID)} | versioned: ${p.VersioningConfiguration?.Status ?? 'no'}; public access blocked: ${p.PublicAccessBlockConfiguration?.BlockPublicAcls ? 'yes' : 'no'} |`);
  }
  for (const [id, p] of resourcesOf(template, 'AWS::DynamoDB::Table')) {
    rows.push(`| DynamoDB table ${id} | ${p.SSESpecification?.SSEType ?? 'AWS owned'} | ${keyName(p.SSESpecification?.KMSMasterKeyId)} | point-in-time recovery: ${p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled ? 'on' : 'off'}; deletion protection: ${p.DeletionProtectionEnabled ? 'on' : 'off'} |`);
  }
  for (const [id, p] of resourcesOf(template, 'AWS::SNS::Topic')) rows.push(`| SNS topic ${id} (${p.DisplayName}) | SSE-KMS | ${keyName(p.KmsMasterKeyId)} | |`);
  for (const [id, p] of resourcesOf(template, 'AWS::SQS::Queue')) rows.push(`| SQS queue ${id} | SSE-KMS | ${keyName(p.KmsMasterKeyId)} | |`);
  for (const [id, p] of resourcesOf(template, 'AWS::Logs::LogGroup')) rows.push(`| Log group ${id} | KMS | ${keyName(p.KmsKeyId)} | kept ${p.RetentionInDays ?? 'forever'} days |`);
  for (const [id, p] of resourcesOf(template, 'Custom::EndpointLogGroup')) rows.push(`| Endpoint log group ${p.LogGroupName} (${id}) | KMS | ${keyName(p.KmsKeyArn)} | kept ${p.RetentionInDays} days |`);
  for (const [id, p] of resourcesOf(template, 'AWS::SageMaker::EndpointConfig')) {
    rows.push(`| Async results (${id}) | SSE-KMS | ${keyName(p.AsyncInferenceConfig?.OutputConfig?.KmsKeyId)} | written by SageMaker under output/ and failure/ |`);
    rows.push(`| ML storage volume (${id}) | ${p.KmsKeyId ? 'KMS' : 'instance storage, encrypted by the hardware (NVMe)'} | ${keyName(p.KmsKeyId)} | |`);
  }
  for (const [id, p] of resourcesOf(template, 'AWS::KMS::Key')) rows.push(`| KMS key ${id} | — | — | rotation: ${p.EnableKeyRotation ? 'on' : 'off'}; ${cell(p.Description ?? '')} |`);
  return ['| Data store | Encryption | Key | Notes |', '|---|---|---|---|', ...rows];
}

/** Allow statements of resource policies whose principal is not this account: who outside it can reach what. */
function externalReach(template: Template): string[] {
  const lines: string[] = [];
  const policies: Array<[string, string, any]> = [
    ...resourcesOf(template, 'AWS::S3::BucketPolicy').map(([id, p]) => [id, render(p.Bucket), p.PolicyDocument] as [string, string, any]),
    ...resourcesOf(template, 'AWS::SNS::TopicPolicy').map(([id, p]) => [id, render(p.Topics), p.PolicyDocument] as [string, string, any]),
    ...resourcesOf(template, 'AWS::SQS::QueuePolicy').map(([id, p]) => [id, render(p.Queues), p.PolicyDocument] as [string, string, any]),
    ...resourcesOf(template, 'AWS::KMS::Key').map(([id, p]) => [id, id, p.KeyPolicy] as [string, string, any]),
  ];
  for (const [, target, document] of policies) {
    for (const line of statementLines(document, true)) {
      if (!line.includes('→ Allow')) continue;
      if (/^AWS:arn:\{AWS::Partition\}:iam::\{AWS::AccountId\}:root →/.test(line) && !line.includes(' when ')) continue;
      lines.push(`- ${code(target)}: ${code(line)}`);
    }
  }
  return lines.length > 0 ? lines : ['- nothing: every resource policy allows only this account\'s principals.'];
}

function resourcePolicies(template: Template): string[] {
  const out: string[] = [];
  const section = (title: string, entries: Array<[string, string, any]>) => {
    for (const [id, target, document] of entries) {
      out.push(`### ${title} ${id} (${cell(target)})`, '', ...statementLines(document, true).map((l) => `- ${code(l)}`), '');
    }
  };
  section('Bucket policy', resourcesOf(template, 'AWS::S3::BucketPolicy').map(([id, p]) => [id, render(p.Bucket), p.PolicyDocument]));
  section('Topic policy', resourcesOf(template, 'AWS::SNS::TopicPolicy').map(([id, p]) => [id, render(p.Topics), p.PolicyDocument]));
  section('Queue policy', resourcesOf(template, 'AWS::SQS::QueuePolicy').map(([id, p]) => [id, render(p.Queues), p.PolicyDocument]));
  section('Key policy', resourcesOf(template, 'AWS::KMS::Key').map(([id, p]) => [id, p.Description ?? '', p.KeyPolicy]));
  return out;
}

function modelPosture(template: Template): string[] {
  const lines: string[] = [];
  for (const [id, p] of resourcesOf(template, 'AWS::SageMaker::Model')) {
    const container = p.PrimaryContainer ?? {};
    const source = container.ModelDataSource?.S3DataSource;
    lines.push(
      `- Model ${id}: network isolation **${p.EnableNetworkIsolation ? 'on' : 'off'}**; ${p.VpcConfig ? `in subnets ${p.VpcConfig.Subnets.join(', ')} with security groups ${p.VpcConfig.SecurityGroupIds.join(', ')}` : 'no VPC (SageMaker\'s network)'}.`,
      `- Image: ${code(withoutHashes(render(container.Image)))}.`,
      `- Model data: ${source ? `${code(withoutHashes(render(source.S3Uri)))} (${source.S3DataType}, compression ${source.CompressionType})` : code(withoutHashes(render(container.ModelDataUrl)))}.`,
      `- Downloads from the Hugging Face Hub at start: ${container.Environment?.HF_MODEL_ID ? `yes (${container.Environment.HF_MODEL_ID}@${container.Environment.HF_MODEL_REVISION ?? 'default branch'})` : 'no'}.`,
    );
  }
  return lines;
}

function costDrivers(template: Template, config: SummarizerConfig): string[] {
  const [, target] = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget')[0] ?? [];
  const [, endpointConfig] = resourcesOf(template, 'AWS::SageMaker::EndpointConfig')[0] ?? [];
  const variant = endpointConfig?.ProductionVariants?.[0] ?? {};
  return [
    `- Instance type: ${code(variant.InstanceType ?? config.instanceType)}, from ${target?.MinCapacity ?? config.minCapacity} to **${target?.MaxCapacity ?? config.maxCapacity}** instances (the scalable target; the invoker's wake is capped at the same maximum).`,
    `- Lambda functions: ${resourcesOf(template, 'AWS::Lambda::Function').length}; queues: ${resourcesOf(template, 'AWS::SQS::Queue').length}; KMS keys: ${resourcesOf(template, 'AWS::KMS::Key').length} (about $1 a month each).`,
    '- `npm run plan` simulates instance-minutes and cost for a traffic scenario.',
  ];
}

/** The whole report, as Markdown. */
export function securityReview(input: ReviewInput): string {
  const { template, config } = input;
  const roles = rolePermissions(template);
  const trust = roleTrust(template);
  const out: string[] = [
    '# Security review',
    '',
    `<!-- Generated by \`npm run review\` from the template synthesized with ${input.configSource}; do not edit by hand. A test fails when this file differs from what the code synthesizes. -->`,
    '',
    `Configuration: ${code(input.configSource)} (securityProfile ${code(config.securityProfile)}, stage ${code(config.stage)}). Logical ids are shown without their hash; ${code('{X}')} is a reference to resource X, ${code('<hash>')} a content hash.`,
    '',
    '## Architecture',
    '',
    '```mermaid',
    input.diagram,
    '```',
    '',
    '## Cost drivers',
    '',
    ...costDrivers(template, config),
    '',
    '## Network posture of the model',
    '',
    ...modelPosture(template),
    '',
    '## Reachable from outside the account',
    '',
    'Every Allow of a resource policy whose principal is not this account\'s IAM (AWS services, with their conditions). Nothing is public: buckets block public access, and the only `*` principals are in Deny statements.',
    '',
    ...externalReach(template),
    '',
    '## Encryption per data store',
    '',
    ...encryption(template),
    '',
    '## Roles',
    '',
  ];
  for (const [role, lines] of [...roles.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`### ${role}`, '', `Assumed by: ${(trust.get(role) ?? []).map((l) => code(l.replace(/ → Allow sts:AssumeRole on \(this resource\)$/, ''))).join(', ')}`, '', ...lines.map((l) => `- ${code(l)}`), '');
  }
  out.push('## Resource policies and key policies', '', ...resourcePolicies(template));
  out.push('## cdk-nag acknowledgements', '', 'Every finding of the AwsSolutions pack (and, for the regulated profile, NIST 800-53 rev. 5) that is acknowledged rather than fixed, where, and why.', '', '| Where | Rule | Reason |', '|---|---|---|');
  for (const a of [...input.acknowledgements].sort((x, y) => x.path.localeCompare(y.path) || x.rule.localeCompare(y.rule))) {
    out.push(`| ${code(a.path)} | ${code(withoutHashes(a.rule))} | ${cell(a.reason)} |`);
  }
  out.push('');
  return `${out.join('\n')}\n`.replace(/\n{3,}/g, '\n\n');
}
