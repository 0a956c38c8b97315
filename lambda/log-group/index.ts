import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { sendResponse } from '../shared/cfn-response';
import { jsonLogger } from '../shared/log';
import { handleLogGroupEvent } from './handler';

const logs = new CloudWatchLogsClient({});

export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  await sendResponse(event.ResponseURL, await handleLogGroupEvent(event, { logs, log: jsonLogger }));
}
