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
    'copying the staged model did not finish within the function timeout (15 minutes); S3 copies about 100 MB/s per object, so a model of more than about 50 GB needs copying by hand',
  );
}
