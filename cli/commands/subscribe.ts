import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CliError } from '../stack-outputs';

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** Subscribes an address to the result topics, or to the operations topic; returns the topics. */
export async function subscribeEmail(sns: SNSClient, topics: readonly string[], email: string): Promise<string[]> {
  if (!EMAIL.test(email)) throw new CliError(`"${email}" is not an email address.`);
  for (const topic of topics) {
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: email }));
  }
  return [...topics];
}
