import 'aws-sdk-client-mock-jest';
import {
  AssociateKmsKeyCommand,
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handleLogGroupEvent } from '../../lambda/log-group/handler';
import { noSleep } from '../helpers/lambda';

const logs = mockClient(CloudWatchLogsClient);
const deps = { logs: new CloudWatchLogsClient({}), log: () => undefined, sleep: noSleep };
const NAME = '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g5-xlarge';
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/new-key';
const properties = (removeOnDelete = 'false') => ({ ServiceToken: 'arn:fn', LogGroupName: NAME, KmsKeyArn: KEY, RetentionInDays: '365', RemoveOnDelete: removeOnDelete });
const event = (requestType: 'Create' | 'Update' | 'Delete', extra: Record<string, unknown> = {}) =>
  ({
    RequestType: requestType,
    ServiceToken: 'arn:fn',
    ResponseURL: 'https://cloudformation-custom-resource-response/presigned',
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/PegasusSummarizer-dev/1',
    RequestId: 'req-1',
    LogicalResourceId: 'EndpointLogs',
    ResourceType: 'Custom::EndpointLogGroup',
    ResourceProperties: properties(),
    ...extra,
  }) as unknown as CloudFormationCustomResourceEvent;
const exists = () => Object.assign(new Error('The specified log group already exists'), { name: 'ResourceAlreadyExistsException', $metadata: { httpStatusCode: 400 } });

beforeEach(() => logs.reset());

test('creates the group with the key, then sets the retention', async () => {
  const response = await handleLogGroupEvent(event('Create'), deps);
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: NAME, Data: { Outcome: 'created' } });
  expect(logs).toHaveReceivedCommandWith(CreateLogGroupCommand, { logGroupName: NAME, kmsKeyId: KEY });
  expect(logs).toHaveReceivedCommandWith(PutRetentionPolicyCommand, { logGroupName: NAME, retentionInDays: 365 });
  expect(logs).not.toHaveReceivedCommand(AssociateKmsKeyCommand);
});

test('adopts a group an earlier stack kept (destroy, then deploy again): the new key and the retention applied', async () => {
  logs.on(CreateLogGroupCommand).rejects(exists());
  const response = await handleLogGroupEvent(event('Create'), deps);
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: NAME, Data: { Outcome: 'adopted' } });
  expect(logs).toHaveReceivedCommandWith(AssociateKmsKeyCommand, { logGroupName: NAME, kmsKeyId: KEY });
  expect(logs).toHaveReceivedCommandWith(PutRetentionPolicyCommand, { logGroupName: NAME, retentionInDays: 365 });
});

test('an update to a new name (another instance type) creates or adopts that one', async () => {
  const other = '/aws/sagemaker/Endpoints/PegasusSummarizer-dev-ml-g6-xlarge';
  const response = await handleLogGroupEvent(event('Update', { PhysicalResourceId: NAME, ResourceProperties: { ...properties(), LogGroupName: other } }), deps);
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: other });
  expect(logs).toHaveReceivedCommandWith(CreateLogGroupCommand, { logGroupName: other });
});

test('a delete keeps the group (logs outlive the stack and the endpoint)', async () => {
  const response = await handleLogGroupEvent(event('Delete', { PhysicalResourceId: NAME }), deps);
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: NAME });
  expect(logs).not.toHaveReceivedCommand(DeleteLogGroupCommand);
});

test('with dataRemovalPolicy=destroy a delete removes it, and one already gone is fine', async () => {
  logs.on(DeleteLogGroupCommand).rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
  const response = await handleLogGroupEvent(event('Delete', { PhysicalResourceId: NAME, ResourceProperties: properties('true') }), deps);
  expect(response).toMatchObject({ Status: 'SUCCESS' });
  expect(logs).toHaveReceivedCommandWith(DeleteLogGroupCommand, { logGroupName: NAME });
});

test('the rollback of a create that failed deletes nothing', async () => {
  const response = await handleLogGroupEvent(event('Delete', { PhysicalResourceId: 'failed-req-0', ResourceProperties: properties('true') }), deps);
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'failed-req-0' });
  expect(logs).not.toHaveReceivedCommand(DeleteLogGroupCommand);
});

test('an error is a FAILED answer that names the group and the cause, never a silent timeout', async () => {
  logs.on(CreateLogGroupCommand).rejects(Object.assign(new Error('User is not authorized to perform: logs:CreateLogGroup'), { name: 'AccessDeniedException' }));
  const response = await handleLogGroupEvent(event('Create'), deps);
  expect(response).toEqual(expect.objectContaining({
    Status: 'FAILED',
    PhysicalResourceId: 'failed-req-1',
    Reason: `log group ${NAME}: AccessDeniedException: User is not authorized to perform: logs:CreateLogGroup`,
  }));
});
