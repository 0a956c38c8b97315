import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, defaultTestApp, executionRoleIds, executionStatements, onlyResourceId } from '../helpers/app';

const statements = (template = defaultTestApp().template): any[] => executionStatements(template);

describe('container', () => {
  test('environment: Hub model, task, payload limits for 1 GB async requests, timeout in seconds', () => {
    defaultTestApp().template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: false,
      PrimaryContainer: {
        Environment: {
          HF_MODEL_ID: 'google/pegasus-large',
          HF_TASK: 'summarization',
          MMS_MAX_REQUEST_SIZE: '2000000000',
          MMS_MAX_RESPONSE_SIZE: '2000000000',
          SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: '900',
          MMS_DEFAULT_RESPONSE_TIMEOUT_SECONDS: '900',
          // One worker per concurrent invocation: without it MMS starts one per GPU and the second request waits.
          SAGEMAKER_MODEL_SERVER_WORKERS: '2',
        },
      },
    });
  });

  test('model-server workers follow the concurrency unless set, and a lone worker is allowed', () => {
    const workers = (context: Record<string, string>) => {
      const [model] = Object.values(buildTestApp(context).template.findResources('AWS::SageMaker::Model'));
      return model.Properties.PrimaryContainer.Environment.SAGEMAKER_MODEL_SERVER_WORKERS;
    };
    expect(workers({ maxConcurrentInvocationsPerInstance: '3' })).toBe('3');
    expect(workers({ maxConcurrentInvocationsPerInstance: '3', modelServerWorkers: '1' })).toBe('1');
    expect(workers({ instanceType: 'ml.g4dn.xlarge', maxConcurrentInvocationsPerInstance: '1' })).toBe('1');
  });

  test('no minutes-based timeout variable is set (MMS reads those as minutes)', () => {
    const [model] = Object.values(defaultTestApp().template.findResources('AWS::SageMaker::Model'));
    const env = model.Properties.PrimaryContainer.Environment;
    expect(env).not.toHaveProperty('SAGEMAKER_MODEL_SERVER_TIMEOUT');
    expect(env).not.toHaveProperty('MMS_DEFAULT_RESPONSE_TIMEOUT');
  });

  test('the default Hub model is pinned to a commit, so a new commit on the Hub cannot change summaries', () => {
    const [model] = Object.values(defaultTestApp().template.findResources('AWS::SageMaker::Model'));
    expect(model.Properties.PrimaryContainer.Environment.HF_MODEL_REVISION).toBe('93928205c2e26274f82e637a8e10033be1e1e975');
  });

  test('overrides: model, task, revision and a timeout aligned with invocationTimeoutSeconds', () => {
    const { template } = buildTestApp({
      modelId: 'google/pegasus-cnn_dailymail',
      hfTask: 'text2text-generation',
      modelRevision: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      invocationTimeoutSeconds: '3600',
    });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Environment: Match.objectLike({
          HF_MODEL_ID: 'google/pegasus-cnn_dailymail',
          HF_TASK: 'text2text-generation',
          HF_MODEL_REVISION: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
          SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: '3600',
          MMS_DEFAULT_RESPONSE_TIMEOUT_SECONDS: '3600',
        }),
      },
    });
  });

  test('modelDataUrl: the artifact repacked with the handler, no Hub download, network isolation, read on the repacked object only', () => {
    const { template } = buildTestApp({ modelDataUrl: 's3://research-models/pegasus/model.tar.gz' });
    const artifact = onlyResourceId(template, 'Custom::ModelArtifactWithHandler');
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      PrimaryContainer: {
        ModelDataUrl: { 'Fn::GetAtt': [artifact, 'ModelDataUrl'] },
        ModelDataSource: Match.absent(),
        Environment: Match.not(Match.objectLike({ HF_MODEL_ID: Match.anyValue() })),
      },
    });
    const key = template.toJSON().Resources[artifact].Properties.DestinationKey;
    expect(key).toMatch(/^models\/[0-9a-f]{32}\/model\.tar\.gz$/);
    expect(statements(template)).toContainEqual({
      Sid: 'ReadModelArtifacts',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DocumentsBucket/), 'Arn'] }, `/${key}`]] },
    });
    expect(JSON.stringify(statements(template))).not.toContain('research-models'); // SageMaker never reads the original
  });

  test('a transformers 5 image with the summarization task warns at synth', () => {
    // CDK prints warnings to the console during synth: check that the user sees it, and keep the test log clean.
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const { stack } = buildTestApp({ image: '2.6.0-transformers5.5.3-gpu-py312-cu124-ubuntu22.04' });
    expect(consoleError.mock.calls.flat().join('\n')).toContain('removed the "summarization" pipeline');
    Annotations.fromStack(stack).hasWarning(
      '/PegasusSummarizer-dev/Model',
      Match.stringLikeRegexp('ships transformers 5, which removed the "summarization" pipeline'),
    );
    consoleError.mockRestore();
  });

  test('the pinned default image does not warn', () => {
    const warnings = Annotations.fromStack(defaultTestApp().stack).findWarning('*', Match.stringLikeRegexp('transformers 5'));
    expect(warnings).toHaveLength(0);
  });
});

describe('execution role', () => {
  test('is assumed by SageMaker only and has no managed policies', () => {
    defaultTestApp().template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  // Every statement of the role, per configuration: test/review/allow-list.test.ts.
  test('no statement allows s3:* or a whole bucket\'s objects', () => {
    for (const s of statements()) {
      const s3Actions = [s.Action].flat().filter((a: string) => a.startsWith('s3:'));
      expect(s3Actions.filter((a: string) => a.includes('*'))).toEqual([]);
      for (const resource of s3Actions.length > 0 ? [s.Resource].flat() : []) expect(JSON.stringify(resource)).not.toMatch(/Arn"\]\},"\/\*"\]/);
    }
  });

  test('the model depends on the role and its policy (no permission race at creation)', () => {
    const { template } = defaultTestApp();
    const { roleId, policyId } = executionRoleIds(template);
    const [model] = Object.values(template.findResources('AWS::SageMaker::Model'));
    expect(model.DependsOn).toEqual(expect.arrayContaining([policyId, roleId]));
    expect(template.toJSON().Resources[policyId].Properties.Roles).toEqual([{ Ref: roleId }]);
  });
});

describe('the model handler (model/code/inference.py)', () => {
  test('a Hub model gets the handler archive, copied into the app bucket (models/handler/), as its model data (S3Object, Gzip) and its settings as environment', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        ModelDataUrl: Match.absent(),
        ModelDataSource: {
          S3DataSource: { S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^DocumentsBucket') }, Match.stringLikeRegexp('^/models/handler/[0-9a-f]{32}\\.tar\\.gz$')]] }, S3DataType: 'S3Object', CompressionType: 'Gzip' },
        },
        Environment: Match.objectLike({
          HF_MODEL_ID: 'google/pegasus-large',
          SUMMARIZER_LONG_DOCUMENTS: 'map-reduce',
          SUMMARIZER_CHUNK_TOKENS: '0',
          SUMMARIZER_OVERLAP_TOKENS: '64',
          SUMMARIZER_BATCH_SIZE: '8',
          SUMMARIZER_MAX_ROUNDS: '4',
        }),
      },
    });
  });

  test('no instance launch reads the bootstrap bucket: the copy function reads the asset at deploy time, the role only the copy', () => {
    const { template } = defaultTestApp();
    expect(JSON.stringify(statements(template))).not.toContain('-assets-');
    template.hasResourceProperties('Custom::HandlerArchiveInAppBucket', {
      Kind: 'handler-archive',
      HandlerUrl: { 'Fn::Sub': Match.stringLikeRegexp('^s3://cdk-.*-assets-.*/[0-9a-f]{64}\\.') },
      DestinationKey: Match.stringLikeRegexp('^models/handler/[0-9a-f]{32}\\.tar\\.gz$'),
    });
    const [model] = Object.values(template.findResources('AWS::SageMaker::Model'));
    expect(model.DependsOn).toContain(onlyResourceId(template, 'Custom::HandlerArchiveInAppBucket'));
  });

  test('configuration reaches the handler: strategy, window, overlap, batch size, rounds', () => {
    const { template } = buildTestApp({ longDocuments: 'truncate', chunkTokens: '512', overlapTokens: '32', summaryBatchSize: '4', maxSummaryRounds: '6' });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Environment: Match.objectLike({
          SUMMARIZER_LONG_DOCUMENTS: 'truncate',
          SUMMARIZER_CHUNK_TOKENS: '512',
          SUMMARIZER_OVERLAP_TOKENS: '32',
          SUMMARIZER_BATCH_SIZE: '4',
          SUMMARIZER_MAX_ROUNDS: '6',
        }),
      },
    });
  });

  test('modelDataUrl: a deploy-time custom resource streams the artifact into models/ with code/inference.py from the handler asset', () => {
    const { template } = buildTestApp({ modelDataUrl: 's3://research-models/pegasus/model.tar.gz' });
    const artifact = onlyResourceId(template, 'Custom::ModelArtifactWithHandler');
    const { Properties: properties } = template.toJSON().Resources[artifact];
    expect(properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^ModelArtifactWithHandlerRepack/), 'Arn'] },
      ServiceTimeout: '1200',
      SourceUrl: 's3://research-models/pegasus/model.tar.gz',
      HandlerUrl: { 'Fn::Sub': expect.stringMatching(/^s3:\/\/cdk-.*-assets-.*\/[0-9a-f]{64}\./) },
      DestinationBucket: { Ref: expect.stringMatching(/^DocumentsBucket/) },
      DestinationKey: expect.stringMatching(/^models\//),
    });
    // The repack function: 15 minutes, and exactly: read the source artifact and the handler, write and delete under models/.
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, MemorySize: 1769, Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelArtifactWithHandlerRepackRole'), 'Arn'] } });
    const policyId = Object.keys(template.findResources('AWS::IAM::Policy')).find((id) => id.startsWith('ModelArtifactWithHandlerRepackRoleDefaultPolicy'))!;
    const repackStatements = template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement.map((st: any) => [[st.Action].flat().join(','), JSON.stringify(st.Resource)]);
    expect(repackStatements).toEqual([
      ['xray:PutTelemetryRecords,xray:PutTraceSegments', '"*"'],
      ['logs:CreateLogStream,logs:PutLogEvents', expect.stringContaining('ModelArtifactWithHandlerRepackLogs')],
      ['s3:GetObject', expect.stringContaining(':s3:::research-models/pegasus/model.tar.gz')],
      ['s3:GetObject', expect.stringMatching(/assets.*\/[0-9a-f]{64}\./)],
      ['kms:Decrypt,kms:GenerateDataKey', expect.stringContaining('DataKey')],
      ['s3:AbortMultipartUpload,s3:PutObject', expect.stringContaining('/models/*')],
      ['s3:DeleteObject', expect.stringContaining('/models/*')],
    ]);
  });

  test('an artifact encrypted with a customer-managed key: the repack function may decrypt with that key, through S3 only', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template } = buildTestApp({ modelDataUrl: 's3://research-models/pegasus/model.tar.gz', modelDataKmsKeyArn: key });
    const policyId = Object.keys(template.findResources('AWS::IAM::Policy')).find((id) => id.startsWith('ModelArtifactWithHandlerRepackRoleDefaultPolicy'))!;
    expect(template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'DecryptSourceArtifact',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: key,
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
    });
    const without = buildTestApp({ modelDataUrl: 's3://research-models/pegasus/model.tar.gz' }).template.toJSON();
    expect(JSON.stringify(without)).not.toContain('DecryptSourceArtifact');
  });

  test('the same artifact and handler keep the same key; another artifact gets another', () => {
    const keyOf = (url: string) => {
      const { template } = buildTestApp({ modelDataUrl: url });
      return template.toJSON().Resources[onlyResourceId(template, 'Custom::ModelArtifactWithHandler')].Properties.DestinationKey;
    };
    expect(keyOf('s3://research-models/pegasus/model.tar.gz')).toBe(keyOf('s3://research-models/pegasus/model.tar.gz'));
    expect(keyOf('s3://research-models/pegasus/v2/model.tar.gz')).not.toBe(keyOf('s3://research-models/pegasus/model.tar.gz'));
  });
});

describe('a staged model (modelSource=staged)', () => {
  const REVISION = '93928205c2e26274f82e637a8e10033be1e1e975';
  const SERVABLE = new RegExp(`^models/google/pegasus-large/${REVISION}-handler-[0-9a-f]{12}/$`);
  const staged = () => buildTestApp({ modelSource: 'staged' });

  test('is loaded from its servable copy (S3Prefix, no compression) with no HF_MODEL_ID, and network isolation on', () => {
    const { template } = staged();
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      VpcConfig: Match.absent(),
      PrimaryContainer: {
        ModelDataUrl: Match.absent(),
        ModelDataSource: { S3DataSource: { S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^DocumentsBucket') }, Match.stringLikeRegexp(SERVABLE.source.slice(1))]] }, S3DataType: 'S3Prefix', CompressionType: 'None' } },
        Environment: Match.not(Match.objectLike({ HF_MODEL_ID: Match.anyValue() })),
      },
    });
    const [model] = Object.values(template.findResources('AWS::SageMaker::Model'));
    expect(model.Properties.PrimaryContainer.Environment).not.toHaveProperty('HF_MODEL_REVISION');
  });

  test('the copy reads the staged prefix of the configured revision and names the command that stages it', () => {
    const { template } = staged();
    const copy = template.toJSON().Resources[onlyResourceId(template, 'Custom::StagedModelWithHandler')].Properties;
    expect(copy).toMatchObject({
      SourceBucket: { Ref: expect.stringMatching(/^DocumentsBucket/) },
      SourcePrefix: `models/google/pegasus-large/${REVISION}/`,
      DestinationBucket: { Ref: expect.stringMatching(/^DocumentsBucket/) },
      ModelId: 'google/pegasus-large',
      ModelRevision: REVISION,
      StageCommand: `npx summarizer stage-model google/pegasus-large@${REVISION}`,
      KmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
    });
    expect(copy.DestinationPrefix).toMatch(SERVABLE);
  });

  test('the execution role reads only the servable copy (objects and a listing limited to its prefix), nothing of the asset bucket', () => {
    const { template } = staged();
    const prefix = template.toJSON().Resources[onlyResourceId(template, 'Custom::StagedModelWithHandler')].Properties.DestinationPrefix;
    const all = statements(template);
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DocumentsBucket/), 'Arn'] },
      Condition: { StringLike: { 's3:prefix': `${prefix}*` } },
    });
    const reads = all.filter((s) => [s.Action].flat().includes('s3:GetObject'));
    expect(JSON.stringify(reads)).toContain(`/${prefix}*`);
    expect(JSON.stringify(all)).not.toMatch(/-assets-/);
    expect(JSON.stringify(all)).not.toContain(`/models/google/pegasus-large/${REVISION}/`);
  });

  test('a new handler makes a new servable prefix; the same handler keeps it', () => {
    const prefixOf = (t: ReturnType<typeof staged>) => t.template.toJSON().Resources[onlyResourceId(t.template, 'Custom::StagedModelWithHandler')].Properties.DestinationPrefix;
    expect(prefixOf(staged())).toBe(prefixOf(staged()));
    const other = buildTestApp({ modelSource: 'staged', modelRevision: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' });
    expect(prefixOf(other)).toMatch(/^models\/google\/pegasus-large\/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678-handler-/);
  });

  test('an s3:// prefix: the copy reads that bucket prefix (and may decrypt with its key, through S3 only)', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template } = buildTestApp({ modelSource: `s3://research-models/pegasus/${REVISION}/`, modelDataKmsKeyArn: key });
    template.hasResourceProperties('Custom::StagedModelWithHandler', { SourceBucket: 'research-models', SourcePrefix: `pegasus/${REVISION}/`, StageCommand: `npx summarizer stage-model google/pegasus-large@${REVISION} --to s3://research-models/pegasus/${REVISION}/` });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadStagedModel', Action: 's3:GetObject' }),
          { Sid: 'DecryptStagedModel', Effect: 'Allow', Action: 'kms:Decrypt', Resource: key, Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } } },
        ]),
      },
    });
    expect(JSON.stringify(statements(template))).not.toContain('research-models'); // SageMaker reads the servable copy only
  });

  test('the model is created only after its servable copy exists', () => {
    const { template } = staged();
    const [model] = Object.values(template.findResources('AWS::SageMaker::Model'));
    expect(model.DependsOn).toContain(onlyResourceId(template, 'Custom::StagedModelWithHandler'));
  });

  test('networkIsolation=off is honoured for a staged model', () => {
    buildTestApp({ modelSource: 'staged', networkIsolation: 'off' }).template.hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: false });
  });
});

describe('VPC placement (vpcSubnetIds, vpcSecurityGroupIds)', () => {
  const vpc = { vpcSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1', vpcSecurityGroupIds: 'sg-0123456789abcdef0' };

  test('the model gets VpcConfig, and its role the network-interface actions SageMaker uses to place it', () => {
    const { template } = buildTestApp({ modelSource: 'staged', ...vpc });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      VpcConfig: { Subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
      EnableNetworkIsolation: true,
    });
    expect(statements(template)).toContainEqual(expect.objectContaining({ Sid: 'PlaceInVpc', Action: expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets']), Resource: '*' }));
  });

  test('without a VPC the role has no EC2 actions', () => {
    expect(JSON.stringify(statements())).not.toContain('ec2:');
  });
});
