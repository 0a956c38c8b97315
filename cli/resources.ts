import { CliError, requireOutput, StackOutputs } from './stack-outputs';

/** What the commands need to know about a deployed stack. */
export interface Resources {
  readonly stackName: string;
  readonly bucket: string;
  readonly endpointName: string;
  readonly invocationTimeoutSeconds: number;
  readonly successTopicArn?: string;
  readonly errorTopicArn?: string;
  readonly operationsTopicArn?: string;
  readonly tableName?: string;
  /**
   * The stack has the research pipeline (from its outputs alone, whatever flags were given):
   * anything put under input/ is submitted by it.
   */
  readonly hasPipeline: boolean;
  /**
   * The stack wakes its endpoint from the invoker, and its wake alarm is only a 12-minute backstop
   * (`wakeOnSubmit`): what the CLI submits directly must wake the endpoint the same way.
   */
  readonly wake?: { readonly variantName: string; readonly backlogPerInstance: number; readonly maxInstances: number };
}

export interface ResourceOverrides {
  readonly bucket?: string;
  readonly endpoint?: string;
  readonly table?: string;
}

export function resourcesFrom(stackName: string, outputs: StackOutputs, overrides: ResourceOverrides = {}): Resources {
  const timeout = Number(outputs.InvocationTimeoutSeconds ?? 900);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 3600) {
    throw new CliError(`the stack output InvocationTimeoutSeconds is "${outputs.InvocationTimeoutSeconds}", not an integer from 1 to 3600.`);
  }
  return {
    stackName,
    bucket: requireOutput(outputs, 'BucketName', '--bucket', overrides.bucket),
    endpointName: requireOutput(outputs, 'EndpointName', '--endpoint', overrides.endpoint),
    invocationTimeoutSeconds: timeout,
    successTopicArn: outputs.SuccessTopicArn,
    errorTopicArn: outputs.ErrorTopicArn,
    operationsTopicArn: outputs.OperationsTopicArn,
    tableName: overrides.table ?? outputs.SummariesTableName,
    hasPipeline: outputs.SummariesTableName !== undefined || outputs.InvokerFunctionName !== undefined,
    wake: wakeFrom(outputs),
  };
}

function wakeFrom(outputs: StackOutputs): Resources['wake'] {
  if (outputs.WakeVariantName === undefined) return undefined;
  const backlogPerInstance = Number(outputs.WakeBacklogPerInstance);
  const maxInstances = Number(outputs.WakeMaxInstances);
  if (!(backlogPerInstance > 0) || !(Number.isInteger(maxInstances) && maxInstances >= 1)) {
    throw new CliError(
      `the stack outputs WakeBacklogPerInstance and WakeMaxInstances are "${outputs.WakeBacklogPerInstance}" and "${outputs.WakeMaxInstances}"; expected a number above 0 and a whole number of at least 1.`,
    );
  }
  return { variantName: outputs.WakeVariantName, backlogPerInstance, maxInstances };
}
