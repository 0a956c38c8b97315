import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { hasInstanceStorage } from '../../lib/constructs/async-inference-endpoint';
import { buildTestApp, defaultTestApp, onlyResourceId } from '../helpers/app';

const bucketUrl = (prefix: string) => ({
  'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^DocumentsBucket') }, `/${prefix}/`]],
});

describe('endpoint config', () => {
  test('async inference: S3 output and failure paths, output KMS key, notifications, concurrency', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      AsyncInferenceConfig: Match.objectEquals({
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 2 },
        OutputConfig: {
          S3OutputPath: bucketUrl('output'),
          S3FailurePath: bucketUrl('failure'),
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
          NotificationConfig: {
            SuccessTopic: { Ref: Match.stringLikeRegexp('^SuccessTopic') },
            ErrorTopic: { Ref: Match.stringLikeRegexp('^ErrorTopic') },
            IncludeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC'],
          },
        },
      }),
    });
  });

  test('one GPU production variant on the model, with a startup timeout for the model download', () => {
    const { template } = defaultTestApp();
    const modelId = onlyResourceId(template, 'AWS::SageMaker::Model');
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [
        Match.objectEquals({
          VariantName: 'AllTraffic',
          ModelName: { 'Fn::GetAtt': [modelId, 'ModelName'] },
          InstanceType: 'ml.g5.xlarge',
          InitialInstanceCount: 1,
          InitialVariantWeight: 1,
          ContainerStartupHealthCheckTimeoutInSeconds: 900,
        }),
      ],
    });
  });

  test('no volume KMS key on ml.g5 (local NVMe storage is hardware-encrypted)', () => {
    defaultTestApp().template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { KmsKeyId: Match.absent() });
  });

  test.each(['ml.g4dn.xlarge', 'ml.g6.2xlarge', 'ml.p4d.24xlarge'])('no volume KMS key on %s either', (instanceType) => {
    buildTestApp({ instanceType }).template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: Match.absent(),
      ProductionVariants: [Match.objectLike({ InstanceType: instanceType })],
    });
  });

  test('an EBS-only instance type gets the app key on its volume', () => {
    buildTestApp({ instanceType: 'ml.p3.2xlarge' }).template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
    });
  });

  test('volumeKmsEncryption=never leaves the EBS volume on AWS-managed encryption', () => {
    buildTestApp({ instanceType: 'ml.p3.2xlarge', volumeKmsEncryption: 'never' }).template.hasResourceProperties(
      'AWS::SageMaker::EndpointConfig',
      { KmsKeyId: Match.absent() },
    );
  });

  test('volumeKmsEncryption=always on an NVMe instance type fails synth with the reason', () => {
    expect(() => buildTestApp({ volumeKmsEncryption: 'always' })).toThrow(
      /instanceType "ml.g5.xlarge" has local NVMe storage.*refuses a volume KMS key/,
    );
  });

  test('inline responses in both topics, or in none', () => {
    buildTestApp({ includeInferenceResponseIn: 'SUCCESS_NOTIFICATION_TOPIC,ERROR_NOTIFICATION_TOPIC' }).template.hasResourceProperties(
      'AWS::SageMaker::EndpointConfig',
      { AsyncInferenceConfig: { OutputConfig: { NotificationConfig: { IncludeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC', 'ERROR_NOTIFICATION_TOPIC'] } } } },
    );
    buildTestApp({ includeInferenceResponseIn: 'none' }).template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      AsyncInferenceConfig: { OutputConfig: { NotificationConfig: { IncludeInferenceResponseIn: Match.absent() } } },
    });
  });

  test('a minimum above zero starts that many instances', () => {
    buildTestApp({ minCapacity: '2' }).template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ InitialInstanceCount: 2 })],
    });
  });

  test('instance-storage families', () => {
    expect(hasInstanceStorage('ml.g5.xlarge')).toBe(true);
    expect(hasInstanceStorage('ml.g4dn.xlarge')).toBe(true);
    expect(hasInstanceStorage('ml.p3.2xlarge')).toBe(false);
    expect(hasInstanceStorage('ml.m5.xlarge')).toBe(false);
  });
});

describe('endpoint', () => {
  test('keeps the scaled instance count across updates; only the endpoint is named (after stack and instance type), never the config or model', () => {
    const { template } = defaultTestApp();
    const configId = onlyResourceId(template, 'AWS::SageMaker::EndpointConfig');
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      EndpointConfigName: { 'Fn::GetAtt': [configId, 'EndpointConfigName'] },
      RetainAllVariantProperties: true,
      EndpointName: 'PegasusSummarizer-dev-ml-g5-xlarge',
    });
    expect(onlyResourceId(template, 'AWS::SageMaker::Endpoint')).toBe('EndpointMlG5Xlarge');
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { EndpointConfigName: Match.absent() });
    template.hasResourceProperties('AWS::SageMaker::Model', { ModelName: Match.absent() });
  });
});

describe('grantInvokeAsync', () => {
  test('upload to input/, InvokeEndpointAsync on this endpoint, read output/ and failure/', () => {
    const { template } = buildTestApp({}, (stack) => {
      const client = new iam.Role(stack, 'Client', { assumedBy: new iam.AccountRootPrincipal() });
      stack.endpoint.grantInvokeAsync(client);
    });
    const clientRoleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('Client'))!;
    const objects = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DocumentsBucket'), 'Arn'] }, `/${prefix}/*`]],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: clientRoleId }],
      PolicyDocument: {
        Statement: [
          Match.objectEquals({
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
          }),
          Match.objectEquals({ Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: objects('input') }),
          Match.objectEquals({ Effect: 'Allow', Action: 's3:GetObject', Resource: [objects('failure'), objects('output')] }),
          Match.objectEquals({
            Effect: 'Allow',
            Action: 'sagemaker:InvokeEndpointAsync',
            Resource: { Ref: Match.stringLikeRegexp('^Endpoint') },
          }),
        ],
      },
    });
  });
});

describe('metric methods', () => {
  const { stack } = buildTestApp();
  const resolve = (m: unknown) => stack.resolve(m);
  const endpointName = { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint/), 'EndpointName'] };

  test.each([
    ['metricApproximateBacklogSize', 'ApproximateBacklogSize'],
    ['metricApproximateBacklogSizePerInstance', 'ApproximateBacklogSizePerInstance'],
    ['metricApproximateAgeOfOldestRequest', 'ApproximateAgeOfOldestRequest'],
    ['metricHasBacklogWithoutCapacity', 'HasBacklogWithoutCapacity'],
  ] as const)('%s: AWS/SageMaker %s with EndpointName only', (method, metricName) => {
    const metric = stack.endpoint[method]();
    expect(metric.namespace).toBe('AWS/SageMaker');
    expect(metric.metricName).toBe(metricName);
    expect(resolve(metric.dimensions)).toEqual({ EndpointName: endpointName });
  });

  test.each([
    ['metricInvocationFailures', 'InvocationFailures', 'Sum'],
    ['metricExpiredRequests', 'ExpiredRequests', 'Sum'],
    ['metricRequestDownloadFailures', 'RequestDownloadFailures', 'Sum'],
    ['metricResponseUploadFailures', 'ResponseUploadFailures', 'Sum'],
    ['metricNotificationFailures', 'NotificationFailures', 'Sum'],
    ['metricTimeInBacklog', 'TimeInBacklog', 'Average'],
    ['metricTotalProcessingTime', 'TotalProcessingTime', 'Average'],
    ['metricModelLatency', 'ModelLatency', 'Average'],
  ] as const)('%s: AWS/SageMaker %s (%s) with EndpointName and VariantName', (method, metricName, statistic) => {
    const metric = stack.endpoint[method]();
    expect(metric.namespace).toBe('AWS/SageMaker');
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe(statistic);
    expect(resolve(metric.dimensions)).toEqual({ EndpointName: endpointName, VariantName: 'AllTraffic' });
  });

  test.each([
    ['metricCpuUtilization', 'CPUUtilization'],
    ['metricMemoryUtilization', 'MemoryUtilization'],
    ['metricGpuUtilization', 'GPUUtilization'],
    ['metricGpuMemoryUtilization', 'GPUMemoryUtilization'],
    ['metricDiskUtilization', 'DiskUtilization'],
  ] as const)('%s: /aws/sagemaker/Endpoints %s', (method, metricName) => {
    const metric = stack.endpoint[method]();
    expect(metric.namespace).toBe('/aws/sagemaker/Endpoints');
    expect(metric.metricName).toBe(metricName);
    expect(resolve(metric.dimensions)).toEqual({ EndpointName: endpointName, VariantName: 'AllTraffic' });
  });

  test('instance count is the SampleCount of CPUUtilization per minute', () => {
    const metric = stack.endpoint.metricInstanceCount();
    expect([metric.namespace, metric.metricName, metric.statistic, metric.period.toSeconds()]).toEqual([
      '/aws/sagemaker/Endpoints',
      'CPUUtilization',
      'SampleCount',
      60,
    ]);
  });

  test('processed requests add up both published spellings of the metric', () => {
    const expression = stack.endpoint.metricInvocationsProcessed();
    expect(expression.expression).toBe('FILL(documented, 0) + FILL(alternative, 0)');
    const used = expression.usingMetrics as unknown as Record<string, { metricName: string; statistic: string }>;
    expect(used.documented.metricName).toBe('InvocationsProcesssed');
    expect(used.alternative.metricName).toBe('InvocationsProcessed');
    expect([used.documented.statistic, used.alternative.statistic]).toEqual(['Sum', 'Sum']);
  });
});
