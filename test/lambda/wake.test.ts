import 'aws-sdk-client-mock-jest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { countWaitingWork, WAITING_LOOKBACK_MS } from '../../lambda/invoker/wake';

describe('countWaitingWork', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  beforeEach(() => dynamo.reset());

  test('counts SUBMITTING and PENDING records of the last 10 minutes from the byDay index, page by page, without reading items', async () => {
    dynamo.on(QueryCommand).callsFake((input) => {
      const status = String(input.ExpressionAttributeValues[':from']).split('#')[0];
      if (status === 'PENDING') return input.ExclusiveStartKey ? { Count: 7 } : { Count: 100, LastEvaluatedKey: { k: 1 } };
      return { Count: 2 };
    });
    const count = await countWaitingWork(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'summaries', new Date('2026-11-25T12:30:00.000Z'));
    expect(count).toBe(109);
    expect(dynamo).toHaveReceivedCommandTimes(QueryCommand, 3);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'summaries',
      IndexName: 'byDay',
      Select: 'COUNT',
      KeyConditionExpression: '#day = :day AND statusAt BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#day': 'day' },
      ExpressionAttributeValues: { ':day': '2026-11-25', ':from': 'PENDING#2026-11-25T12:20:00.000Z', ':to': 'PENDING#~' },
    });
    expect(WAITING_LOOKBACK_MS).toBe(600_000);
  });

  test('a window across midnight asks both days', async () => {
    dynamo.on(QueryCommand).resolves({ Count: 1 });
    const count = await countWaitingWork(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'summaries', new Date('2026-11-26T00:04:00.000Z'));
    expect(count).toBe(4);
    const days = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues![':day']);
    expect(days).toEqual(['2026-11-25', '2026-11-25', '2026-11-26', '2026-11-26']);
  });
});
