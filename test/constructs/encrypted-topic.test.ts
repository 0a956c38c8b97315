import { Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, defaultTestApp, onlyResourceId } from '../helpers/app';

const topicId = (displayName: string, template = defaultTestApp().template) =>
  onlyResourceId(template, 'AWS::SNS::Topic', { DisplayName: displayName });
const TOPICS = ['Summarization succeeded', 'Summarization failed', 'Summarization endpoint alarms'];

test.each(TOPICS)('"%s" is encrypted with the app key and refuses publishing without TLS', (name) => {
  const { template } = defaultTestApp();
  const id = topicId(name);
  template.hasResourceProperties('AWS::SNS::Topic', {
    DisplayName: name,
    KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
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
