import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { jsonLogger, requiredEnv } from '../shared/log';
import { handleResultBatch, RecorderDeps } from './handler';

// Clients live at module scope so warm invocations reuse their connections.
const deps: RecorderDeps = {
  s3: new S3Client({}),
  table: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  log: jsonLogger,
  settings: {
    tableName: requiredEnv(process.env, 'TABLE_NAME'),
    bucket: requiredEnv(process.env, 'BUCKET_NAME'),
    inputPrefix: requiredEnv(process.env, 'INPUT_PREFIX'),
    modelId: requiredEnv(process.env, 'MODEL_ID'),
    modelRevision: requiredEnv(process.env, 'MODEL_REVISION'),
    retentionDays: Number(requiredEnv(process.env, 'RETENTION_DAYS')),
    endpointNamePrefix: requiredEnv(process.env, 'ENDPOINT_NAME_PREFIX'),
  },
};

export const handler = (event: SQSEvent) => handleResultBatch(event, deps);
