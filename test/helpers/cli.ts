import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { createClients } from '../../cli/clients';
import { CliIo, run } from '../../cli/main';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** A fake clock: `sleep` advances it instantly, so polling and deadlines run in no time. */
export class FakeClock {
  constructor(public nowMs = Date.parse('2026-11-24T10:00:00Z')) {}
  readonly now = () => this.nowMs;
  readonly sleep = async (ms: number) => {
    this.nowMs += ms;
  };
}

export async function runCli(args: string[], clock = new FakeClock()): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    clients: () => createClients('us-east-1'),
    sleep: clock.sleep,
    now: clock.now,
  };
  const code = await run(args, io);
  return { code, out, err };
}

export function stackOutputs(outputs: Record<string, string>) {
  return {
    Stacks: [
      {
        StackName: 'PegasusSummarizer-dev',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE' as const,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

export const BASE_OUTPUTS = {
  BucketName: 'docs-bucket',
  EndpointName: 'ep',
  InvocationTimeoutSeconds: '1800',
  SuccessTopicArn: 'arn:aws:sns:us-east-1:111122223333:success',
  ErrorTopicArn: 'arn:aws:sns:us-east-1:111122223333:error',
  OperationsTopicArn: 'arn:aws:sns:us-east-1:111122223333:ops',
};

/** A temporary folder with the given files (string content, or bytes). */
export function tempFiles(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summarizer-cli-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export { DescribeStacksCommand };
