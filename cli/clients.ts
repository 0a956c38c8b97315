import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS clients for one region. Credentials come from the standard chain (environment, profile,
 * SSO, role); the SDK's own retries (standard mode) handle transient errors on every call.
 */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly table: DynamoDBDocumentClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly runtime: SageMakerRuntimeClient;
  readonly sagemaker: SageMakerClient;
  readonly autoScaling: ApplicationAutoScalingClient;
  readonly sns: SNSClient;
  readonly cloudWatch: CloudWatchClient;
  readonly lambda: LambdaClient;
  readonly serviceQuotas: ServiceQuotasClient;
  readonly ecr: ECRClient;
  readonly ssm: SSMClient;
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly kms: KMSClient;
  readonly logs: CloudWatchLogsClient;
  readonly ec2: EC2Client;
}

export function createClients(region?: string): AwsClients {
  const config = { ...(region ? { region } : {}), maxAttempts: 5 };
  const dynamodb = new DynamoDBClient(config);
  return {
    cloudFormation: new CloudFormationClient(config),
    ec2: new EC2Client(config),
    table: DynamoDBDocumentClient.from(dynamodb),
    dynamodb,
    s3: new S3Client(config),
    runtime: new SageMakerRuntimeClient(config),
    sagemaker: new SageMakerClient(config),
    autoScaling: new ApplicationAutoScalingClient(config),
    sns: new SNSClient(config),
    cloudWatch: new CloudWatchClient(config),
    lambda: new LambdaClient(config),
    serviceQuotas: new ServiceQuotasClient(config),
    ecr: new ECRClient(config),
    ssm: new SSMClient(config),
    iam: new IAMClient(config),
    sts: new STSClient(config),
    kms: new KMSClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}
