import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface DataKeyProps {
  /**
   * @default 'Encrypts summarization documents, results and notifications'
   */
  readonly description?: string;
  /**
   * What happens to the key when the stack is deleted. A deleted key makes every object and
   * message it encrypted unreadable, so it follows the data's removal policy.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Who administers the key, and who (besides this stack's own roles and the AWS services named
   * with `allow…`) may use it. Unset: the account's IAM policies decide both, the KMS default
   * ("the account root may do anything, IAM delegates").
   *
   * @default - the account's IAM policies decide
   */
  readonly principals?: KeyPrincipals;
}

/** Key administrators and key users, by IAM ARN (roles or users; `*` matches in names). */
export interface KeyPrincipals {
  /** May manage the key (policy, rotation, deletion), never encrypt or decrypt with it. */
  readonly administrators: readonly string[];
  /** May encrypt and decrypt with it (operators reading summaries, for example). */
  readonly users: readonly string[];
  /** This stack's roles, named `<stack name>-…` by CloudFormation: they use the key. */
  readonly stackName: string;
}

/** Managing a key, without using it (KMS Developer Guide, "Allows key administrators to administer the KMS key"). */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*',
  'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:RotateKeyOnDemand',
];
/** Using a key (KMS Developer Guide, "Allows key users to use the KMS key"), and the grants AWS services create for their resources. */
export const KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * The role CloudFormation deploys with after `cdk bootstrap` (default qualifier): it creates the
 * bucket, table and topics with the key and updates the key policy, so it administers and uses
 * the key. (CDK bootstrap template: `cdk-${Qualifier}-cfn-exec-role-${AWS::AccountId}-${AWS::Region}`.)
 */
export const CDK_DEPLOY_ROLE = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-hnb659fds-cfn-exec-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

/**
 * The customer-managed KMS key that encrypts documents, results and notifications.
 *
 * Customer-managed rather than AWS-managed because AWS-managed keys (`alias/aws/sns`) cannot be
 * used by CloudWatch to publish alarms to an encrypted topic: those notifications would be
 * dropped silently. Rotation is on.
 */
export class DataKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DataKeyProps = {}) {
    super(scope, id);
    const principals = props.principals;
    this.key = new kms.Key(this, 'Resource', {
      description: props.description ?? 'Encrypts summarization documents, results and notifications',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      policy: principals ? separatedPolicy(principals) : undefined,
    });
  }

  /**
   * Lets CloudWatch Logs encrypt and read the log groups whose names match `logGroupNames`
   * (a trailing `*` matches a prefix) in this account and region, and nothing else. The policy
   * follows the CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS":
   * the regional principal `logs.<region>.amazonaws.com`, scoped by the encryption context
   * `kms:EncryptionContext:aws:logs:arn`.
   */
  public allowLogsToEncrypt(logGroupNames: readonly string[]): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForTheseLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': logGroupNames.map((name) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${name}`),
          },
        },
      }),
    );
  }

  /**
   * Lets an AWS service write to topics and queues encrypted with this key (CloudWatch alarms
   * to a topic, EventBridge and SNS to a queue), but only on behalf of this account
   * (confused-deputy guard).
   */
  public allowServiceToEncrypt(servicePrincipal: string): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowEncryptFor${servicePrincipal.split('.')[0]}`,
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}

/**
 * A key policy that names who administers and who uses the key, in place of the account root's
 * `kms:*`. Both statements name the account as principal and the allowed principals by
 * `aws:PrincipalArn`: KMS then also requires the principal's own IAM policy to allow the action,
 * and a principal that does not exist yet (or a pattern) is accepted. The CloudFormation role
 * the CDK deploys with is in both, or the next deploy could not update the key's resources or
 * its policy (KMS refuses a policy that locks out its caller).
 */
function separatedPolicy(p: KeyPrincipals): iam.PolicyDocument {
  const account = new iam.AccountRootPrincipal();
  const stackRoles = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${p.stackName}-*`;
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'KeyAdministration',
        principals: [account],
        actions: KEY_ADMINISTRATION_ACTIONS,
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': [...p.administrators, CDK_DEPLOY_ROLE] } },
      }),
      new iam.PolicyStatement({
        sid: 'KeyUse',
        principals: [account],
        actions: KEY_USE_ACTIONS,
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': [stackRoles, ...p.users, CDK_DEPLOY_ROLE] } },
      }),
      // DynamoDB, SNS, SQS and SageMaker create grants on the key for the resources they encrypt.
      new iam.PolicyStatement({
        sid: 'KeyGrantsForAwsResources',
        principals: [account],
        actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': [stackRoles, ...p.users, CDK_DEPLOY_ROLE] }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    ],
  });
}
