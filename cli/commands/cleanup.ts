import { ApplicationAutoScalingClient, DeregisterScalableTargetCommand, DescribeScalableTargetsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DeleteLogGroupCommand, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteTableCommand, DynamoDBClient, ListTablesCommand, ListTagsOfResourceCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteBucketCommand, DeleteObjectsCommand, GetBucketTaggingCommand, ListBucketsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { endpointLogGroupName } from '../../lib/constructs/endpoint-log-group';
import { APP_NAME } from '../../lib/summarizer-app';
import { CliError } from '../stack-outputs';

/** Something `cdk destroy` leaves behind, and how to remove it. */
export interface Leftover {
  readonly kind: 'bucket' | 'table' | 'scalable-target' | 'log-group';
  readonly name: string;
  readonly action: string;
  readonly remove: () => Promise<void>;
}

export interface CleanupDeps {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly autoScaling: ApplicationAutoScalingClient;
  readonly logs: CloudWatchLogsClient;
}

const ours = (tags: Array<{ Key?: string; Value?: string }> | undefined, stage: string) =>
  tags?.some((t) => t.Key === 'app' && t.Value === APP_NAME) && tags.some((t) => t.Key === 'stage' && t.Value === stage);

async function stackExists(cloudFormation: CloudFormationClient, stackName: string): Promise<boolean> {
  try {
    const stacks = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
    return stacks.some((s) => s.StackStatus !== 'DELETE_COMPLETE');
  } catch (e) {
    if ((e as Error).name === 'ValidationError' && /does not exist/.test((e as Error).message)) return false;
    throw e;
  }
}

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
    if (objects.length > 0) {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
      if (result.Errors?.length) throw new Error(`could not delete ${result.Errors.length} objects from ${bucket}: ${result.Errors[0].Code} ${result.Errors[0].Message}`);
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/**
 * Finds what a destroyed stage left behind, by its tags (app=PegasusSummarizer, stage=<stage>):
 * retained buckets (including every object version), a retained summaries table, and a
 * scalable target still registered for an endpoint that is gone; and, by name, the endpoints'
 * retained log groups. Refuses while the stack exists.
 */
export async function findLeftovers(stackName: string, stage: string, deps: CleanupDeps): Promise<Leftover[]> {
  if (await stackExists(deps.cloudFormation, stackName)) {
    throw new CliError(`stack "${stackName}" still exists; run npx cdk destroy -c stage=${stage} first (cleanup only removes what it leaves behind).`);
  }
  const leftovers: Leftover[] = [];

  const prefix = `${stackName.toLowerCase()}-`;
  for (const bucket of (await deps.s3.send(new ListBucketsCommand({}))).Buckets ?? []) {
    if (!bucket.Name?.startsWith(prefix)) continue;
    const tags = await deps.s3.send(new GetBucketTaggingCommand({ Bucket: bucket.Name })).catch(() => ({ TagSet: [] }));
    if (!ours(tags.TagSet, stage)) continue;
    const name = bucket.Name;
    leftovers.push({ kind: 'bucket', name, action: 'delete every object version, then the bucket', remove: () => emptyAndDeleteBucket(deps.s3, name) });
  }

  let startTable: string | undefined;
  do {
    const page = await deps.dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName: startTable }));
    for (const table of page.TableNames ?? []) {
      if (!table.startsWith(`${stackName}-`)) continue;
      const arn = (await deps.dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table?.TableArn;
      const tags = arn ? (await deps.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags : undefined;
      if (!ours(tags, stage)) continue;
      leftovers.push({ kind: 'table', name: table, action: 'delete the table', remove: async () => void (await deps.dynamodb.send(new DeleteTableCommand({ TableName: table }))) });
    }
    startTable = page.LastEvaluatedTableName;
  } while (startTable);

  // The endpoints' log groups, kept by design (one per instance type the stage has had): named by
  // SageMaker after the endpoint, `/aws/sagemaker/Endpoints/<stack>-<instance type>`.
  for await (const page of paginateDescribeLogGroups({ client: deps.logs }, { logGroupNamePrefix: endpointLogGroupName(`${stackName}-`) })) {
    for (const group of page.logGroups ?? []) {
      const name = group.logGroupName!;
      leftovers.push({ kind: 'log-group', name, action: 'delete the endpoint log group and its logs', remove: async () => void (await deps.logs.send(new DeleteLogGroupCommand({ logGroupName: name }))) });
    }
  }

  const targets = [];
  let next: string | undefined;
  do {
    const page = await deps.autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker', NextToken: next }));
    targets.push(...(page.ScalableTargets ?? []));
    next = page.NextToken;
  } while (next);
  for (const target of targets) {
    if (!target.ScalableTargetARN || !target.ResourceId) continue;
    const tags = (await deps.autoScaling.send(new ListTagsForResourceCommand({ ResourceARN: target.ScalableTargetARN }))).Tags ?? {};
    if (tags.app !== APP_NAME || tags.stage !== stage) continue;
    const resourceId = target.ResourceId;
    leftovers.push({
      kind: 'scalable-target',
      name: resourceId,
      action: 'deregister the scalable target',
      remove: async () =>
        void (await deps.autoScaling.send(
          new DeregisterScalableTargetCommand({ ServiceNamespace: 'sagemaker', ResourceId: resourceId, ScalableDimension: target.ScalableDimension! }),
        )),
    });
  }
  return leftovers;
}
