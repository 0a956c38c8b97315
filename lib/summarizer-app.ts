import { App, Tags } from 'aws-cdk-lib';
import type { SummarizerConfig } from './config/schema';
import { SummarizerStack } from './stacks/summarizer-stack';

import { APP_NAME, stackName } from './stack-name';

export { APP_NAME, stackName } from './stack-name';

/**
 * Adds the app's stack for one validated configuration. The stack is environment-agnostic:
 * account and region come from the credentials used at deploy time, and everything
 * region-specific is resolved in the template (mappings, pseudo parameters).
 */
export function addSummarizerStack(app: App, config: SummarizerConfig): SummarizerStack {
  const name = stackName(config.stage);
  const stack = new SummarizerStack(app, name, {
    stackName: name,
    description:
      `PEGASUS summarization (${config.stage}): ${config.modelId} on a SageMaker async endpoint ` +
      `(${config.instanceType}, ${config.minCapacity}-${config.maxCapacity} instances), S3 documents, SNS notifications, alarms and a dashboard.`,
    terminationProtection: config.terminationProtection,
    config,
  });
  Tags.of(stack).add('app', APP_NAME);
  Tags.of(stack).add('stage', config.stage);
  return stack;
}
