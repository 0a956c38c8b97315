import { ACCOUNT_ARN, allow, DATA_KEY_WRITE, documents, functionLogs, RoleAllowList, XRAY } from '../review/allow';

const QUEUE_CONSUMER = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];

/**
 * The invoker: reads exact versions of uploads (and lists the bucket: without s3:ListBucket S3
 * answers 403, not 404, for a deleted upload, so a deleted document could not be told from a
 * permission problem; S3 User Guide, "Required permissions for S3 API operations". A prefix
 * condition cannot keep that answer, since GetObject carries no s3:prefix), writes requests/ and
 * extracted/ in single calls, submits to and wakes this endpoint, describes the stack's
 * endpoints (the sweeper), writes the table and queries its byDay index (the sweeper), reads
 * results the sweeper recovers, consumes the ingest queue.
 */
export const PIPELINE_INVOKER_ROLE: RoleAllowList = {
  role: 'PipelineInvokerRole',
  lines: (c, stack) => [
    ...allow(['dynamodb:PutItem', 'dynamodb:UpdateItem'], '{PipelineSummaries.Arn}'),
    ...allow('dynamodb:Query', '{PipelineSummaries.Arn}/index/byDay'),
    ...DATA_KEY_WRITE,
    ...allow('kms:Decrypt', '{PipelineQueueKey.Arn}'),
    ...functionLogs('PipelineInvokerLogs'),
    ...allow('s3:GetObject', [documents('failure/*'), documents('input/*'), documents('output/*')]),
    ...allow('s3:GetObjectVersion', documents('input/*')),
    ...allow('s3:ListBucket', '{DocumentsBucket.Arn}'),
    ...allow('s3:PutObject', [documents('extracted/*'), documents('requests/*')]),
    ...allow('sagemaker:DescribeEndpoint', [ACCOUNT_ARN('sagemaker', `endpoint/${stack}-*`), ACCOUNT_ARN('sagemaker', `endpoint/${stack.toLowerCase()}-*`)]),
    ...allow('sagemaker:InvokeEndpointAsync', `{Endpoint${endpointPascal(c.instanceType)}}`),
    // The wake: read and set this endpoint's instance count, nothing else.
    ...(c.wakeOnSubmit && c.minCapacity === 0 ? allow(['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities'], `{Endpoint${endpointPascal(c.instanceType)}}`) : []),
    ...allow(QUEUE_CONSUMER, '{PipelineIngestQueue.Arn}'),
    ...XRAY,
  ],
};

/** The recorder: reads results and failure reports, updates the table, consumes the results queue. */
export const PIPELINE_RECORDER_ROLE: RoleAllowList = {
  role: 'PipelineRecorderRole',
  lines: () => [
    ...allow('dynamodb:UpdateItem', '{PipelineSummaries.Arn}'),
    ...DATA_KEY_WRITE,
    ...allow('kms:Decrypt', '{PipelineQueueKey.Arn}'),
    ...functionLogs('PipelineRecorderLogs'),
    ...allow('s3:GetObject', [documents('failure/*'), documents('output/*')]),
    ...allow(QUEUE_CONSUMER, '{PipelineResultsQueue.Arn}'),
    ...XRAY,
  ],
};

/** `Endpoint<MlG5Xlarge>`: the endpoint's logical id (async-inference-endpoint.ts). */
function endpointPascal(instanceType: string): string {
  return instanceType.split(/[^a-zA-Z0-9]+/).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
