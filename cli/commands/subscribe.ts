import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CliError } from '../stack-outputs';

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** Subscribes an address to the result topics, or to the operations topic; returns the topics. */
export async function subscribeEmail(sns: SNSClient, topics: readonly string[], email: string): Promise<string[]> {
  if (!EMAIL.test(email)) throw new CliError(`"${email}" is not an email address.`);
  for (const topic of topics) {
    try {
      await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: email }));
    } catch (e) {
      // The result topics carry summaries: their policy admits only the configured addresses.
      if ((e as Error).name === 'AuthorizationErrorException' || (e as Error).name === 'AuthorizationError') {
        throw new CliError(
          `${topic} accepts only the addresses configured for it: add ${email} to notificationEmails (alarmEmails for --operations) and deploy; the stack then subscribes it. (${(e as Error).message})`,
        );
      }
      throw e;
    }
  }
  return [...topics];
}
