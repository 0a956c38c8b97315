import { Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, defaultTestApp, onlyResourceId } from '../helpers/app';

const topicId = (displayName: string, template = defaultTestApp().template) =>
  onlyResourceId(template, 'AWS::SNS::Topic', { DisplayName: displayName });
const TOPICS = ['Summarization succeeded', 'Summarization failed', 'Summarization endpoint alarms'];

test.each(TOPICS)('"%s" is encrypted with its key (results: the data key; alarms: the operations key) and refuses publishing without TLS', (name) => {
  const { template } = defaultTestApp();
  const id = topicId(name);
  template.hasResourceProperties('AWS::SNS::Topic', {
    DisplayName: name,
    KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp(name.includes('alarms') ? '^OperationsKey' : '^DataKey'), 'Arn'] },
    TopicName: Match.absent(),
  });
  template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    Topics: [{ Ref: id }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Resource: { Ref: id },
        }),
      ]),
    },
  });
});

test('CloudWatch may publish alarms to the operations topic, for this account only', () => {
  const id = topicId('Summarization endpoint alarms');
  defaultTestApp().template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    Topics: [{ Ref: id }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        {
          Sid: 'AllowPublishFromcloudwatch',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: id },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]),
    },
  });
});

test('no email subscriptions by default', () => {
  defaultTestApp().template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
});

test('notification emails subscribe to success and error; alarm emails to operations', () => {
  const { template } = buildTestApp({
    notificationEmails: 'research@example.com,bi@example.com',
    alarmEmails: 'oncall@example.com',
  });
  const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } })).map((s) => [
    s.Properties.Endpoint,
    s.Properties.Protocol,
    s.Properties.TopicArn.Ref,
  ]);
  const success = topicId('Summarization succeeded', template);
  const error = topicId('Summarization failed', template);
  const operations = topicId('Summarization endpoint alarms', template);
  expect(subscriptions.sort()).toEqual(
    [
      ['research@example.com', 'email', success],
      ['bi@example.com', 'email', success],
      ['research@example.com', 'email', error],
      ['bi@example.com', 'email', error],
      ['oncall@example.com', 'email', operations],
    ].sort(),
  );
});

test('result emails carry results only: a message-body filter drops SageMaker TestNotifications; alarm emails are unfiltered', () => {
  const { template } = buildTestApp({ notificationEmails: 'research@example.com', alarmEmails: 'oncall@example.com' });
  const byTopic = Object.fromEntries(
    Object.values(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } })).map((s) => [s.Properties.TopicArn.Ref, s.Properties]),
  );
  for (const name of ['Summarization succeeded', 'Summarization failed']) {
    expect(byTopic[topicId(name, template)]).toMatchObject({ FilterPolicyScope: 'MessageBody', FilterPolicy: { eventName: ['InferenceResult'] } });
  }
  expect(byTopic[topicId('Summarization endpoint alarms', template)].FilterPolicy).toBeUndefined();
});

describe('the result topics carry summaries', () => {
  test.each(['Summarization succeeded', 'Summarization failed'])('"%s": Publish only from the model role, Subscribe only for the configured addresses and the results queue', (name) => {
    const { template } = buildTestApp({ notificationEmails: 'team@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId(name, template) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'PublishOnlyFromTheModel',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId(name, template) },
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelExecutionRole'), 'Arn'] }] } },
          },
          {
            Sid: 'SubscribeOnlyConfiguredEndpoints',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sns:Subscribe',
            Resource: { Ref: topicId(name, template) },
            Condition: { StringNotEquals: { 'sns:Endpoint': ['team@example.com', { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineResultsQueue'), 'Arn'] }] } },
          },
        ]),
      },
    });
  });

  test('with no address and no pipeline, nothing may subscribe', () => {
    const { template } = buildTestApp({ pipeline: 'false' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId('Summarization succeeded', template) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'SubscribeOnlyConfiguredEndpoints', Condition: { StringNotEquals: { 'sns:Endpoint': ['none'] } } })]) },
    });
  });

  test('the alarm topic is not restricted that way (CloudWatch publishes to it)', () => {
    const { template } = defaultTestApp();
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy')).find((p) => JSON.stringify(p.Properties.Topics).includes(topicId('Summarization endpoint alarms')))!;
    expect(JSON.stringify(policy)).not.toContain('PublishOnlyFromTheModel');
  });
});
