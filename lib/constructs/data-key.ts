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
}

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
    this.key = new kms.Key(this, 'Resource', {
      description: props.description ?? 'Encrypts summarization documents, results and notifications',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
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
