import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { Resources } from '../resources';
import { CliError } from '../stack-outputs';

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** Subscribes an address to the result topics, or to the operations topic; returns the topics. */
export async function subscribeEmail(sns: SNSClient, resources: Resources, email: string, operations: boolean): Promise<string[]> {
  if (!EMAIL.test(email)) throw new CliError(`"${email}" is not an email address.`);
  const topics = operations ? [resources.operationsTopicArn] : [resources.successTopicArn, resources.errorTopicArn];
  if (topics.some((t) => !t)) throw new CliError('the stack outputs lack the topic ARNs (SuccessTopicArn, ErrorTopicArn, OperationsTopicArn).');
  for (const topic of topics as string[]) {
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: email }));
  }
  return topics as string[];
}
