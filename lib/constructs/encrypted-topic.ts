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
  private readonly emails: readonly string[];
  private readonly subscribers: string[] = [];

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Resource', {
      displayName: props.displayName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.emails = props.emails ?? [];
    for (const email of this.emails) {
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

  /**
   * Only these principals may publish (`aws:PrincipalArn`): for the result topics, the model's
   * execution role, so nobody else in the account can forge a result the recorder would write.
   * A Deny for every other principal, whatever their IAM policies allow.
   */
  public restrictPublishTo(principalArns: readonly string[]): void {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PublishOnlyFromTheModel',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...principalArns] } },
      }),
    );
  }

  /**
   * Only these endpoints may be subscribed (`sns:Endpoint`): the configured e-mail addresses and
   * `endpoints` (the pipeline's results queue), so nobody can attach an outside endpoint and
   * receive summaries. Called once, after every subscriber is known.
   */
  public restrictSubscriptionsTo(endpoints: readonly string[] = []): void {
    this.subscribers.push(...endpoints);
    const allowed = [...this.emails, ...this.subscribers];
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SubscribeOnlyConfiguredEndpoints',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Subscribe'],
        resources: [this.topic.topicArn],
        // With nothing configured, no endpoint is allowed: a value no endpoint can have.
        conditions: { StringNotEquals: { 'sns:Endpoint': allowed.length > 0 ? allowed : ['none'] } },
      }),
    );
  }
}
