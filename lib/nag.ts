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

/** NIST 800-53 rev. 5 rules this app answers with a reason rather than a change (securityProfile=regulated runs the pack). */
export type NistRule =
  | 'IAMNoInlinePolicy'
  | 'IAMPolicyNoStatementsWithFullAccess'
  | 'LambdaInsideVPC'
  | 'LambdaDLQ'
  | 'LambdaConcurrency'
  | 'S3BucketReplicationEnabled'
  | 'S3DefaultEncryptionKMS'
  | 'SageMakerEndpointConfigurationKMSKeyConfigured'
  | 'DynamoDBInBackupPlan';

/** Acknowledges one NIST 800-53 rev. 5 finding on `construct` (and what it contains), with the reason. */
export function acknowledgeNist(construct: IConstruct, rule: NistRule, reason: string): void {
  Validations.of(construct).acknowledge({ id: `NIST.800.53.R5-${rule}`, reason });
}

/** Every role's policy is its own AWS::IAM::Policy: NIST's "no inline policy" answered once, in the same words. */
export const OWN_POLICY_REASON =
  'The role\'s policy is its own AWS::IAM::Policy, scoped to this stack\'s resources and attached to no other principal; a customer-managed policy would be the same document under another type. Every statement is pinned by the IAM allow-list test (lib/constructs/*.permissions.ts).';
