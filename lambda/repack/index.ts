import { S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCustomResource } from '../shared/custom-resource';
import { jsonLogger } from '../shared/log';
import { handleEvent } from './handler';

const s3 = new S3Client({});

export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  await answerCustomResource(
    event,
    context,
    () => handleEvent(event, { s3, log: jsonLogger }),
    'repacking the model artifact did not finish within the function timeout (15 minutes): is the artifact larger than a few GB?',
  );
}
