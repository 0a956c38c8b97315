import { Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, defaultTestApp, onlyResourceId } from '../helpers/app';

const documentsBucket = (template = defaultTestApp().template) =>
  onlyResourceId(template, 'AWS::S3::Bucket', { BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } })] } });
const logBucket = (template = defaultTestApp().template) =>
  onlyResourceId(template, 'AWS::S3::Bucket', { BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } })] } });

describe('document bucket', () => {
  test('SSE-KMS with the app key and bucket keys, private, versioned, owner-enforced, logged', () => {
    const { template } = defaultTestApp();
    const logs = logBucket();
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'documents/' },
      BucketName: Match.absent(),
    });
  });

  test('TLS only (and TLS 1.2 or newer) for both buckets', () => {
    const { template } = defaultTestApp();
    for (const bucket of [documentsBucket(), logBucket()]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
  });

  test('objects under each prefix expire after the retention period; old versions after 30 days', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: [
          { Id: 'AbortIncompleteUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
          { Id: 'ExpireNoncurrentVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, ExpiredObjectDeleteMarker: true },
          { Id: 'ExpireInput', Status: 'Enabled', Prefix: 'input/', ExpirationInDays: 90 },
          { Id: 'ExpireOutput', Status: 'Enabled', Prefix: 'output/', ExpirationInDays: 90 },
          { Id: 'ExpireFailure', Status: 'Enabled', Prefix: 'failure/', ExpirationInDays: 90 },
          { Id: 'ExpireRequests', Status: 'Enabled', Prefix: 'requests/', ExpirationInDays: 90 },
          { Id: 'ExpireExtracted', Status: 'Enabled', Prefix: 'extracted/', ExpirationInDays: 90 },
        ],
      },
    });
  });

  test('dataRetentionDays=0 keeps documents forever', () => {
    const { template } = buildTestApp({ dataRetentionDays: '0' });
    const [bucket] = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.anyValue() } }));
    const ids = bucket.Properties.LifecycleConfiguration.Rules.map((r: { Id: string }) => r.Id);
    expect(ids).toEqual(['AbortIncompleteUploads', 'ExpireNoncurrentVersions']);
  });

  test('data, logs, summaries and the data key are retained on stack deletion by default', () => {
    const { template } = defaultTestApp();
    const stateful = [
      ...Object.values(template.findResources('AWS::S3::Bucket')),
      ...Object.values(template.findResources('AWS::DynamoDB::Table')),
      template.toJSON().Resources[onlyResourceId(template, 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('documents') })],
    ];
    expect(stateful).toHaveLength(4);
    for (const resource of stateful) {
      expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('dataRemovalPolicy=destroy deletes buckets (emptied first) and schedules the key for deletion', () => {
    const { template } = buildTestApp({ dataRemovalPolicy: 'destroy' });
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::DynamoDB::Table']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Delete');
      }
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });
});

describe('access log bucket', () => {
  test('SSE-S3 (log delivery cannot use SSE-KMS), private, expires logs', () => {
    defaultTestApp().template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpireAccessLogs', ExpirationInDays: 365 })] },
    });
  });

  test('S3 log delivery may write, from our bucket and account only', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucket() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Condition: Match.objectLike({
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [documentsBucket(), 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            }),
          }),
        ]),
      },
    });
  });
});

describe('KMS key', () => {
  test('two keys, customer managed and rotated: data (documents, results, table) and operations (logs, alarms), CloudWatch only on the operations key, for this account only', () => {
    const { template } = defaultTestApp();
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'Encrypts summarization documents, results and notifications', EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: "Encrypts the summarization service's logs and alarm notifications",
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowEncryptForcloudwatch',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
    const dataKey = Object.values(template.findResources('AWS::KMS::Key', { Properties: { Description: 'Encrypts summarization documents, results and notifications' } }))[0];
    expect(JSON.stringify(dataKey.Properties.KeyPolicy)).not.toMatch(/cloudwatch|logs\./);
  });

  test('by default the account administers and uses the keys through IAM; with keyAdminArns, administrators and users are named apart', () => {
    expect(JSON.stringify(defaultTestApp().template.toJSON())).not.toContain('KeyAdministration');
    const admins = 'arn:aws:iam::111122223333:role/KeyAdmins';
    const users = 'arn:aws:iam::111122223333:role/Readers';
    const { template } = buildTestApp({ keyAdminArns: admins, keyUserArns: users });
    const deployRole = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-hnb659fds-cfn-exec-role-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] };
    const stackRoles = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/PegasusSummarizer-dev-*']] };
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      const statements = key.Properties.KeyPolicy.Statement;
      expect(statements.find((st: any) => st.Sid === 'KeyAdministration')).toMatchObject({ Condition: { ArnLike: { 'aws:PrincipalArn': [admins, deployRole] } } });
      const administration = statements.find((st: any) => st.Sid === 'KeyAdministration').Action;
      expect(administration).not.toEqual(expect.arrayContaining(['kms:Decrypt']));
      expect(statements.find((st: any) => st.Sid === 'KeyUse')).toMatchObject({ Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], Condition: { ArnLike: { 'aws:PrincipalArn': [stackRoles, users, deployRole] } } });
      expect(JSON.stringify(statements)).not.toContain('"kms:*"');
    }
  });

  test('keyUserArns without keyAdminArns is refused at synth', () => {
    expect(() => buildTestApp({ keyUserArns: 'arn:aws:iam::111122223333:role/Readers' })).toThrow('keyUserArns: set (arn:aws:iam::111122223333:role/Readers) without keyAdminArns');
  });
});

describe('bucket policy: every write keeps the data key', () => {
  test('denies another encryption, another KMS key and SSE-C on every object write', () => {
    const { template } = defaultTestApp();
    const deny = (sid: string, condition: object) => Match.objectLike({ Sid: sid, Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject', Condition: condition });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^DocumentsBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          deny('DenyEncryptionOtherThanKms', { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } }),
          deny('DenyOtherKmsKeys', { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] }, { Ref: Match.stringLikeRegexp('^DataKey') }] } }),
          deny('DenyCustomerProvidedKeys', { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } }),
        ]),
      },
    });
  });
});
