import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** AWS clients for one region; credentials come from the standard chain (env, profile, SSO, role). */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly table: DynamoDBDocumentClient;
}

export function createClients(region?: string): AwsClients {
  const config = region ? { region } : {};
  return {
    cloudFormation: new CloudFormationClient(config),
    table: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
  };
}
