/**
 * Reads a synthesized template the way a reviewer does: every permission as one line of text,
 * intrinsic functions spelled out. Used by the IAM allow-list test (test/review/allow-list.test.ts)
 * and the security review (`npm run review`, docs/security-review.md), so both see the same thing.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- a synthesized template is untyped JSON */
export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: unknown }>; Outputs?: Record<string, any>; Mappings?: Record<string, any> };

/** A logical id without the 8-hex hash the CDK appends (`DocumentsBucket089EA665` → `DocumentsBucket`). */
export const baseId = (id: string): string => id.replace(/[0-9A-F]{8}$/, '');

/**
 * A CloudFormation value as text: `{Ref}` → `{DocumentsBucket}`, `Fn::GetAtt` → `{DataKey.Arn}`,
 * `Fn::Join` → the parts joined, `Fn::Sub` as written, pseudo parameters as `{AWS::Region}`.
 */
export function render(value: any): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(render).join(', ');
  if (value && typeof value === 'object') {
    if ('Ref' in value) return `{${value.Ref.startsWith('AWS::') ? value.Ref : baseId(value.Ref)}}`;
    if ('Fn::GetAtt' in value) return `{${baseId(value['Fn::GetAtt'][0])}.${value['Fn::GetAtt'][1]}}`;
    if ('Fn::Join' in value) return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
    if ('Fn::Sub' in value) return String(typeof value['Fn::Sub'] === 'string' ? value['Fn::Sub'] : value['Fn::Sub'][0]).replace(/\$\{([^}]+)\}/g, (_, name: string) => `{${name}}`);
    if ('Fn::FindInMap' in value) return `{${value['Fn::FindInMap'].map(render).join('.')}}`;
    if ('Fn::Select' in value) return `{select ${render(value['Fn::Select'][0])} of ${render(value['Fn::Select'][1])}}`;
    if ('Fn::Split' in value) return `{split ${render(value['Fn::Split'][1])} at "${value['Fn::Split'][0]}"}`;
    if ('Fn::If' in value) return `{if ${value['Fn::If'][0]}: ${render(value['Fn::If'][1])} else ${render(value['Fn::If'][2])}}`;
    return JSON.stringify(value);
  }
  return String(value);
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function renderConditions(conditions: Record<string, Record<string, any>> | undefined): string {
  if (!conditions) return '';
  const parts = Object.entries(conditions)
    .flatMap(([operator, keys]) => Object.entries(keys).map(([key, v]) => `${operator} ${key}=${list(v).map(render).join('|')}`))
    .sort();
  return parts.length === 0 ? '' : ` when ${parts.join(' and ')}`;
}

function principalsOf(principal: any): string[] {
  if (principal === '*') return ['*'];
  return Object.entries(principal ?? {}).flatMap(([kind, v]) => list(v).map((p) => `${kind}:${render(p)}`));
}

/**
 * One line per effect, action and resource of a policy document:
 * `Allow s3:GetObject on {DocumentsBucket.Arn}/requests/* when …`. With principals (a resource
 * policy), they lead the line: `AWS:{ModelExecutionRole.Arn} → Allow …`.
 */
/** Content hashes (assets, handler copies) as `<hash>`: they change with every handler edit, the permission does not. */
export const withoutHashes = (line: string): string => line.replace(/-handler-[0-9a-f]{12}\//g, '-handler-<hash>/').replace(/\/models\/[0-9a-f]{32}\//g, '/models/<hash>/').replace(/[0-9a-f]{32,64}(?=\.(zip|gz|tar\.gz)\b)/g, '<hash>');

export function statementLines(document: any, withPrincipals = false): string[] {
  const lines: string[] = [];
  for (const s of list(document?.Statement)) {
    const actions = [...list<string>(s.Action).map((a) => a), ...list<string>(s.NotAction).map((a) => `NOT ${a}`)];
    const resources = s.Resource === undefined && s.NotResource === undefined ? ['(this resource)'] : [...list(s.Resource).map(render), ...list(s.NotResource).map((r) => `NOT ${render(r)}`)];
    const who = withPrincipals ? `${(s.Principal ? principalsOf(s.Principal) : list(s.NotPrincipal).map((p) => `NOT ${principalsOf(p).join(', ')}`)).join(', ')} → ` : '';
    for (const action of actions) {
      for (const resource of resources) lines.push(withoutHashes(`${who}${s.Effect} ${action} on ${resource}${renderConditions(s.Condition)}`));
    }
  }
  return [...new Set(lines)].sort();
}

/** Every role's permissions, by its logical id without hash: inline and attached policies, and managed policies by ARN. */
export function rolePermissions(template: Template): Map<string, string[]> {
  const roles = new Map<string, string[]>();
  const resources = Object.entries(template.Resources);
  for (const [id, r] of resources) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const lines = [
      ...list(r.Properties?.Policies).flatMap((p: any) => statementLines(p.PolicyDocument)),
      ...list(r.Properties?.ManagedPolicyArns).map((arn) => `managed policy ${render(arn)}`),
    ];
    roles.set(baseId(id), lines);
  }
  for (const [, r] of resources) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    for (const role of list(r.Properties?.Roles)) {
      const name = baseId((role as { Ref: string }).Ref);
      roles.set(name, [...new Set([...(roles.get(name) ?? []), ...statementLines(r.Properties?.PolicyDocument)])].sort());
    }
  }
  for (const [name, lines] of roles) roles.set(name, [...new Set(lines)].sort());
  return roles;
}

/** Who may assume each role (its trust policy), by the role's logical id without hash. */
export function roleTrust(template: Template): Map<string, string[]> {
  return new Map(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .map(([id, r]) => [baseId(id), statementLines(r.Properties?.AssumeRolePolicyDocument, true)]),
  );
}
