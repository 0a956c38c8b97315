import { ALLOW_LISTS } from '../../lib/review/allow-lists';
import { rolePermissions, Template } from '../../lib/review/render';
import { buildTestApp } from '../helpers/app';

/**
 * Every role's permissions, as synthesized, against the allow-list kept beside the construct that
 * grants them (lib/constructs/*.permissions.ts). Widen a role (a new action, a wider resource, a
 * lost condition) and this fails, showing the line, until its list says so too.
 */
const VPC = { vpcSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1', vpcSecurityGroupIds: 'sg-0123456789abcdef0' };
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const VARIANTS: Array<[string, Record<string, string>]> = [
  ['the default (Hub model, pipeline, wake on submit)', {}],
  ['without the pipeline', { pipeline: 'false' }],
  ['a staged model in a VPC', { modelSource: 'staged', ...VPC }],
  ['a staged model in another account\'s bucket, with its key', { modelSource: 's3://research-models/pegasus/93928205c2e26274f82e637a8e10033be1e1e975/', modelDataKmsKeyArn: KEY, modelDataBucketOwner: '444455556666' }],
  ['model artifacts, data destroyed with the stack, always on', { modelDataUrl: 's3://research-models/pegasus/model.tar.gz', dataRemovalPolicy: 'destroy', minCapacity: '1', instanceType: 'ml.g4dn.xlarge' }],
];

describe.each(VARIANTS)('%s', (_name, context) => {
  const { template, config, stack } = buildTestApp(context);
  const roles = rolePermissions(template.toJSON() as Template);

  test('every role has an allow-list', () => {
    expect([...roles.keys()].filter((role) => !ALLOW_LISTS.some((l) => l.role === role))).toEqual([]);
  });

  test.each([...roles.keys()])('%s has exactly the permissions its allow-list names', (role) => {
    const list = ALLOW_LISTS.find((l) => l.role === role)!;
    expect(roles.get(role)).toEqual([...new Set(list.lines(config, stack.stackName))].sort());
  });
});

test('a widened role fails the comparison (the test can fail)', () => {
  const { template, config, stack } = buildTestApp({});
  const json = template.toJSON() as Template;
  const policyId = Object.keys(json.Resources).find((id) => id.startsWith('PipelineRecorderRoleDefaultPolicy'))!;
  json.Resources[policyId].Properties!.PolicyDocument.Statement.push({ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['DocumentsBucket089EA665', 'Arn'] }, '/*']] } });
  const list = ALLOW_LISTS.find((l) => l.role === 'PipelineRecorderRole')!;
  expect(rolePermissions(json).get('PipelineRecorderRole')).not.toEqual([...list.lines(config, stack.stackName)].sort());
  expect(rolePermissions(json).get('PipelineRecorderRole')).toContain('Allow s3:GetObject on {DocumentsBucket.Arn}/*');
});
