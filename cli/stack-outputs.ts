import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { stackName } from '../lib/stack-name';

/** A user-facing failure: printed as one clear line, with a non-zero exit, and no stack trace. */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export interface StackSelection {
  /** Explicit stack name; wins over the stage. */
  readonly stack?: string;
  /** Stage whose stack `PegasusSummarizer-<stage>` to read. */
  readonly stage: string;
}

export type StackOutputs = Readonly<Record<string, string>>;

/** Turns SDK credential and region failures into messages a user can act on. */
export function explainAwsError(error: unknown, what: string): never {
  const e = error as Error & { name: string };
  if (e instanceof CliError) throw e;
  if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message)) {
    throw new CliError(`${what}: no AWS credentials found. Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (see aws configure).`);
  }
  if (/region/i.test(e.message) && /missing|not set|configure/i.test(e.message)) {
    throw new CliError(`${what}: no AWS region set. Set AWS_REGION or pass --region.`);
  }
  throw new CliError(`${what}: ${e.name}: ${e.message}`);
}

/** Reads the stack's outputs (bucket, endpoint, topics, table…). */
export async function readStackOutputs(cloudFormation: CloudFormationClient, selection: StackSelection): Promise<StackOutputs> {
  const name = selection.stack ?? stackName(selection.stage);
  let stacks;
  try {
    // The SDK module is loaded here, not when the CLI starts (cli/main.ts, `lazy`).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DescribeStacksCommand } = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
    stacks = (await cloudFormation.send(new DescribeStacksCommand({ StackName: name }))).Stacks;
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      throw new CliError(`stack "${name}" does not exist in this account and region; deploy it (npx cdk deploy -c stage=${selection.stage}) or pass --stack/--stage.`);
    }
    explainAwsError(error, `reading stack "${name}"`);
  }
  const outputs = stacks?.[0]?.Outputs ?? [];
  return Object.fromEntries(outputs.filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey!, o.OutputValue!]));
}

/** One output, or a clear error naming the flag that can supply it instead. */
export function requireOutput(outputs: StackOutputs, key: string, flag: string, override?: string): string {
  const value = override ?? outputs[key];
  if (value === undefined || value === '') {
    throw new CliError(`the stack has no ${key} output (is it deployed with this feature on?); pass ${flag} to name it directly.`);
  }
  return value;
}
