/**
 * Evaluates the CloudFormation intrinsics our templates use (Ref to pseudo parameters,
 * Fn::Join, Fn::FindInMap) for a given region, so tests can check what a region-agnostic
 * template resolves to at deploy time in each region.
 */
export interface DeployTarget {
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly accountId?: string;
}

export const TARGETS: Record<string, DeployTarget> = {
  'us-east-1': { region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' },
  'af-south-1': { region: 'af-south-1', partition: 'aws', urlSuffix: 'amazonaws.com' },
  'cn-north-1': { region: 'cn-north-1', partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' },
  'us-gov-west-1': { region: 'us-gov-west-1', partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' },
  'us-iso-east-1': { region: 'us-iso-east-1', partition: 'aws-iso', urlSuffix: 'c2s.ic.gov' },
  'us-isob-east-1': { region: 'us-isob-east-1', partition: 'aws-iso-b', urlSuffix: 'sc2s.sgov.gov' },
};

export function evaluate(expr: unknown, template: { Mappings?: Record<string, any> }, target: DeployTarget): string {
  if (typeof expr === 'string' || typeof expr === 'number') return String(expr);
  const o = expr as Record<string, any>;
  if (o.Ref !== undefined) {
    const pseudo: Record<string, string> = {
      'AWS::Region': target.region,
      'AWS::Partition': target.partition,
      'AWS::URLSuffix': target.urlSuffix,
      'AWS::AccountId': target.accountId ?? '111122223333',
    };
    if (!(o.Ref in pseudo)) throw new Error(`cannot evaluate Ref to ${o.Ref}`);
    return pseudo[o.Ref];
  }
  if (o['Fn::Join']) {
    const [delimiter, parts] = o['Fn::Join'];
    return parts.map((p: unknown) => evaluate(p, template, target)).join(delimiter);
  }
  if (o['Fn::FindInMap']) {
    const [map, first, second] = o['Fn::FindInMap'].map((p: unknown) => evaluate(p, template, target));
    const value = template.Mappings?.[map]?.[first]?.[second];
    if (value === undefined) throw new Error(`Fn::FindInMap: no ${map}.${first}.${second}`);
    return value;
  }
  throw new Error(`cannot evaluate ${JSON.stringify(expr)}`);
}
