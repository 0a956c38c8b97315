import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { EndpointWaker } from '../common/endpoint-waker';
import type { Resources } from './resources';

/**
 * For what the CLI submits straight to the endpoint (`submit --direct`, `load`) when the stack
 * wakes its endpoint from the pipeline's invoker: its wake alarm then waits 12 minutes as a
 * backstop, so the CLI wakes the endpoint itself, sized by the run it is about to send. Undefined
 * when the stack does not ask for it (the alarm then wakes the endpoint within two minutes).
 * What the waker did, or could not do (a missing permission, say), goes to stderr: it never
 * fails a submission.
 */
export function directWaker(sagemaker: SageMakerClient, resources: Resources, requestsInRun: number, stderr: (text: string) => void): EndpointWaker | undefined {
  if (!resources.wake) return undefined;
  const { variantName, backlogPerInstance, maxInstances } = resources.wake;
  return new EndpointWaker({
    sagemaker,
    settings: { endpointName: resources.endpointName, variantName, backlogPerInstance, maxInstances },
    log: (level, message, fields) => {
      const instances = fields?.instances ? ` (${fields.instances} instance${fields.instances === 1 ? '' : 's'})` : '';
      const reason = fields?.reason ? `: ${fields.reason}` : '';
      stderr(`${level === 'warn' ? 'warning: ' : ''}${message}${instances}${reason}\n`);
    },
    waitingWork: async () => requestsInRun,
  });
}
