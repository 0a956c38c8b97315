import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildTestApp, defaultTestApp, onlyResourceId, withinTheMinuteOnBacklogWithoutCapacity } from '../helpers/app';

const ref = (prefix: string) => ({ Ref: Match.stringLikeRegexp(`^${prefix}`) });
const arnOf = (prefix: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), 'Arn'] });
const exactly = (...statements: object[]) => statements.map((s) => Match.objectEquals(s));

function functionId(template: Template, name: 'Invoker' | 'Recorder'): string {
  return Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith(`Pipeline${name}`) && !id.includes('Role'))!;
}

function policyOfFunction(template: Template, name: 'Invoker' | 'Recorder'): any[] {
  const fn = template.toJSON().Resources[functionId(template, name)];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const policyId = onlyResourceId(template, 'AWS::IAM::Policy', { Roles: [{ Ref: roleId }] });
  return template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement;
}

describe('ingestion', () => {
  test('the bucket sends its events to EventBridge (no notification custom resource)', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('only objects created under input/ in our bucket reach the ingest queue; undeliverable events are dead-lettered', () => {
    defaultTestApp().template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [ref('DocumentsBucket')] }, object: { key: [{ prefix: 'input/' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: arnOf('PipelineIngestQueue'),
          DeadLetterConfig: { Arn: arnOf('PipelineIngestDeadLetterQueue') },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        }),
      ],
    });
  });

  test('the invoker consumes the ingest queue in small batches (each document may be extracted in memory), reporting partial failures, with bounded concurrency', () => {
    const { template } = buildTestApp({ pipelineMaxConcurrency: '8' });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', MemorySize: 2048, Timeout: 300, Environment: { Variables: Match.objectLike({ REQUESTS_PREFIX: 'requests/' }) } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf('PipelineIngestQueue'),
      FunctionName: { Ref: functionId(template, 'Invoker') },
      BatchSize: 3,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 8 },
    });
  });

  test('the invoker is told where things are', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          BUCKET_NAME: ref('DocumentsBucket'),
          INPUT_PREFIX: 'input/',
          REQUESTS_PREFIX: 'requests/',
          EXTRACTED_PREFIX: 'extracted/',
          ENDPOINT_NAME: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Endpoint'), 'EndpointName'] },
          TABLE_NAME: ref('PipelineSummaries'),
          MODEL_ID: 'google/pegasus-large',
          MODEL_REVISION: '93928205c2e26274f82e637a8e10033be1e1e975',
          INVOCATION_TIMEOUT_SECONDS: '900',
          RETENTION_DAYS: '90',
          // PENDING without result: looked at after one sweep period; sent again past the 6 h
          // queue TTL + the 900 s invocation timeout + 30 min, at most twice in all.
          SWEEP_PENDING_CHECK_AFTER_SECONDS: '1800',
          SWEEP_PENDING_DEADLINE_SECONDS: String(21_600 + 900 + 1800),
          SWEEP_MAX_SUBMISSIONS: '2',
          SWEEP_MAX_PENDING: '500',
        },
      },
    });
  });

  test('the recorder records only results of this stack\'s endpoints (named <stack>-<instance type>)', () => {
    defaultTestApp().template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENDPOINT_NAME_PREFIX: 'PegasusSummarizer-dev-', MODEL_REVISION: '93928205c2e26274f82e637a8e10033be1e1e975' }) },
    });
  });

  // Its exact permissions, per configuration: test/review/allow-list.test.ts (lib/constructs/summary-pipeline.permissions.ts).

  test('the wake check: requests waiting with no instance in service in any minute invoke the invoker (once per state change), which may alone invoke it', () => {
    const { template } = defaultTestApp();
    const invokerArn = arnOf('PipelineInvoker');
    const alarmId = onlyResourceId(template, 'AWS::CloudWatch::Alarm', { AlarmActions: [invokerArn] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...withinTheMinuteOnBacklogWithoutCapacity({ 'Fn::GetAtt': [Match.stringLikeRegexp('^Endpoint'), 'EndpointName'] }, [invokerArn]),
      OKActions: Match.absent(),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: invokerArn,
      Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::GetAtt': [alarmId, 'Arn'] },
    });
    // Absent without the wake on submit: see the next test.
  });

  test('wake on submit: by default the invoker is told the variant to wake and how to size the wake; switched off, or with minCapacity above 0, it gets neither the variable nor the permission', () => {
    const invokerEnv = (template: Template) => template.toJSON().Resources[functionId(template, 'Invoker')].Properties.Environment.Variables;
    const sets = (template: Template) => policyOfFunction(template, 'Invoker').some((st) => JSON.stringify(st.Action).includes('UpdateEndpointWeightsAndCapacities'));
    const on = defaultTestApp().template;
    expect(invokerEnv(on)).toMatchObject({ WAKE_VARIANT_NAME: 'AllTraffic', WAKE_BACKLOG_PER_INSTANCE: '5', WAKE_MAX_INSTANCES: '5' });
    // Sized as target tracking is configured.
    expect(invokerEnv(buildTestApp({ targetBacklogPerInstance: '3', maxCapacity: '8' }).template)).toMatchObject({ WAKE_BACKLOG_PER_INSTANCE: '3', WAKE_MAX_INSTANCES: '8' });
    expect(sets(on)).toBe(true);
    for (const context of [{ wakeOnSubmit: 'false' }, { minCapacity: '1' }]) {
      const { template } = buildTestApp(context);
      expect(Object.keys(invokerEnv(template)).filter((k) => k.startsWith('WAKE_'))).toEqual([]);
      expect(sets(template)).toBe(false);
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmActions: [arnOf('PipelineInvoker')] }, 0); // no wake check
    }
  });

  test('the sweeper: a schedule invokes the invoker every 30 minutes; it is told the retry window it must outwait', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      Targets: [Match.objectLike({ Arn: arnOf('PipelineInvoker'), RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    // 30 min visibility × 5 receives + 15 min margin.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      Environment: { Variables: Match.objectLike({ MAX_RECEIVE_COUNT: '5', SWEEP_STALE_AFTER_SECONDS: String((30 * 5 + 15) * 60), SWEEP_LOOKBACK_DAYS: '14' }) },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 1800,
      RedrivePolicy: { deadLetterTargetArn: arnOf('PipelineIngestDeadLetterQueue'), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf('PipelineSweepRule'),
    });
  });
});

describe('results', () => {
  test('both result topics feed the results queue with raw delivery and a dead-letter queue', () => {
    const { template } = defaultTestApp();
    for (const topic of ['SuccessTopic', 'ErrorTopic']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        TopicArn: ref(topic),
        Endpoint: arnOf('PipelineResultsQueue'),
        RawMessageDelivery: true,
        RedrivePolicy: { deadLetterTargetArn: arnOf('PipelineResultsDeadLetterQueue') },
      });
    }
  });

  // Its exact permissions, per configuration: test/review/allow-list.test.ts (lib/constructs/summary-pipeline.permissions.ts).

  test('the recorder consumes the results queue in batches, reporting partial failures', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf('PipelineResultsQueue'),
      FunctionName: { Ref: functionId(template, 'Recorder') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('queues', () => {
  test.each(['PipelineIngestQueue', 'PipelineResultsQueue'])('%s: KMS-encrypted with the queue key, redrives to its DLQ after 5 receives', (queue) => {
    const dlq = queue.replace('Queue', 'DeadLetterQueue');
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: arnOf('PipelineQueueKey'),
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 5 },
    });
  });

  test('dead-letter queues are encrypted and keep messages 14 days', () => {
    const dlqs = defaultTestApp().template.findResources('AWS::SQS::Queue', {
      Properties: { MessageRetentionPeriod: 1209600, KmsMasterKeyId: arnOf('PipelineQueueKey') },
    });
    expect(Object.keys(dlqs).sort()).toEqual([
      expect.stringMatching(/^PipelineIngestDeadLetterQueue/),
      expect.stringMatching(/^PipelineResultsDeadLetterQueue/),
      expect.stringMatching(/^PipelineSweepDeadLetterQueue/),
    ]);
  });

  test('a sweep EventBridge cannot deliver goes to its own dead-letter queue, which only the sweep rule may send to', () => {
    const { template } = defaultTestApp();
    const dlq = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('PipelineSweepDeadLetterQueue'))!;
    const rule = onlyResourceId(template, 'AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      Targets: [Match.objectLike({ Arn: arnOf('PipelineInvoker'), DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlq }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } } }),
        ]),
      },
    });
  });

  test('every queue refuses requests without TLS', () => {
    const { template } = defaultTestApp();
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(5);
    for (const queue of queues) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  test('the queue key lets EventBridge and SNS encrypt into the queues', () => {
    const statements = new Capture();
    defaultTestApp().template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Encrypts the summarization pipeline queues',
      EnableKeyRotation: true,
      KeyPolicy: { Statement: statements },
    });
    const principals = statements.asArray().map((s: any) => s.Principal?.Service).filter(Boolean);
    expect(principals).toEqual(expect.arrayContaining(['events.amazonaws.com', 'sns.amazonaws.com']));
  });
});

describe('summaries table', () => {
  test('keyed by inference id, with by-document and by-day indexes, PITR, KMS, TTL, on demand, retained', () => {
    const { template } = defaultTestApp();
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'inferenceId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf('DataKey') },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: 'byDocument', KeySchema: [{ AttributeName: 'sourceKey', KeyType: 'HASH' }, { AttributeName: 'submittedAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }),
          Match.objectLike({ IndexName: 'byDay', KeySchema: [{ AttributeName: 'day', KeyType: 'HASH' }, { AttributeName: 'statusAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }),
        ],
        TableName: Match.absent(),
      },
    });
  });
});

describe('functions', () => {
  test.each(['Invoker', 'Recorder'] as const)('%s: Node.js 24 on ARM, traced, logs encrypted with the operations key and kept a year, no managed policies', (name) => {
    const { template } = defaultTestApp();
    const fn = template.toJSON().Resources[functionId(template, name)];
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    expect(template.toJSON().Resources[logGroupId].Properties).toMatchObject({
      LogGroupName: `/pegasus-summarizer/dev/${name.toLowerCase()}`,
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^OperationsKey/), 'Arn'] },
    });
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('alarms to the operations topic', () => {
  const topic = () => ({ Ref: onlyResourceId(defaultTestApp().template, 'AWS::SNS::Topic', { DisplayName: 'Summarization endpoint alarms' }) });

  test.each(['PipelineIngestDeadLetterQueue', 'PipelineResultsDeadLetterQueue'])('any message in %s', (queue) => {
    defaultTestApp().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${queue}`), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic()],
    });
  });

  test('an upload waiting more than 15 minutes to be submitted', () => {
    defaultTestApp().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineIngestQueue'), 'QueueName'] } }],
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topic()],
    });
  });

  test.each(['Invoker', 'Recorder'] as const)('%s errors', (name) => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(template, name) } }],
      Statistic: 'Sum',
      Threshold: 1,
      AlarmActions: [topic()],
    });
  });
});

test('grantReadSummaries: GetItem and Query on the table and its indexes, and decrypt', () => {
  const { template } = buildTestApp({}, (stack) => {
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    stack.pipeline!.grantReadSummaries(reader);
  });
  const readerId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('Reader'))!;
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: readerId }],
    PolicyDocument: {
      Statement: exactly(
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: arnOf('DataKey') },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:Query'],
          Resource: [arnOf('PipelineSummaries'), { 'Fn::Join': ['', [arnOf('PipelineSummaries'), '/index/*']] }],
        },
      ),
    },
  });
});

describe('EventBridge into the encrypted ingest queues', () => {
  test('the queue key lets EventBridge encrypt as the SQS guide shows (no source condition, which KMS does not honour for EventBridge deliveries)', () => {
    const { template } = defaultTestApp();
    const key = Object.values(template.findResources('AWS::KMS::Key')).find((k) => JSON.stringify(k).includes('events.amazonaws.com'))!;
    const statements = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal?.Service === 'events.amazonaws.com');
    expect(statements).toEqual([
      { Sid: 'AllowEventBridgeToEncryptIngestMessages', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' },
    ]);
  });

  test.each(['PipelineIngestQueue', 'PipelineIngestDeadLetterQueue'])('%s accepts messages from EventBridge for the upload rule only', (queue) => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp(`^${queue}`) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowUploadRuleToSend',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: arnOf(queue),
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf('PipelineUploadRule') } },
          },
        ]),
      },
    });
  });
});
