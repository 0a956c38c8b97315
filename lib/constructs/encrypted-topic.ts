import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface EncryptedTopicProps {
  /** Key that encrypts messages at rest. */
  readonly encryptionKey: kms.IKey;
  /** Shown in the console and in email notifications. */
  readonly displayName: string;
  /**
   * Addresses to subscribe; each must confirm the email SNS sends.
   *
   * @default - no subscriptions
   */
  readonly emails?: readonly string[];
  /**
   * Deliver to email only messages whose JSON body has one of these `eventName` values (an SNS
   * filter policy on the message body).
   *
   * @default - every message
   */
  readonly emailEventNames?: readonly string[];
}

/** An SNS topic encrypted with our key that refuses publishing over plain HTTP. */
export class EncryptedTopic extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Resource', {
      displayName: props.displayName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) {
      // The address is the construct id so that adding or removing one address leaves the
      // other subscriptions (and their confirmations) untouched.
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(email, {
          // FilterPolicyScope MessageBody (SNS Developer Guide, "Amazon SNS subscription filter policy scope").
          filterPolicyWithMessageBody: props.emailEventNames
            ? { eventName: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: [...props.emailEventNames] })) }
            : undefined,
        }),
      );
    }
  }

  /**
   * Allows an AWS service (for example CloudWatch alarms) to publish, only from this account.
   * The topic's key must also let the service use it.
   */
  public allowServiceToPublish(servicePrincipal: string): void {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowPublishFrom${servicePrincipal.split('.')[0]}`,
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}
