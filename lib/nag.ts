import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Renders a (possibly tokenized) IAM resource the way cdk-nag names it in an
 * `AwsSolutions-IAM5[Resource::…]` finding: `{"Fn::GetAtt":["B","Arn"]}` → `<B.Arn>`,
 * `{"Ref":"AWS::Region"}` → `<AWS::Region>`, `Fn::Join` concatenated. This mirrors cdk-nag's
 * own (unexported) `flattenCfnReference`; the nag test fails if the two ever disagree.
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (Array.isArray(o['Fn::Join'])) {
        const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if (Array.isArray(o['Fn::GetAtt'])) {
        const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
        return `<${visit(resource)}.${visit(attribute)}>`;
      }
      if (o.Ref !== undefined) return `<${visit(o.Ref)}>`;
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/**
 * Acknowledges one `AwsSolutions-IAM5` wildcard finding on `construct`, naming the exact
 * resource or action, with the reason it is needed.
 */
export function acknowledgeWildcard(
  construct: IConstruct,
  finding: { readonly resource: string } | { readonly action: string },
  reason: string,
): void {
  const id =
    'resource' in finding
      ? `AwsSolutions-IAM5[Resource::${nagResourceName(construct, finding.resource)}]`
      : `AwsSolutions-IAM5[Action::${finding.action}]`;
  Validations.of(construct).acknowledge({ id, reason });
}
