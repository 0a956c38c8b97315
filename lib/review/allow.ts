import { parseS3Url } from '../../common/summary-record';
import type { SummarizerConfig } from '../config/schema';

/**
 * The IAM allow-lists: every permission each role of the app may have, kept beside the construct
 * that grants it (`*.permissions.ts`), in the form `lib/review/render.ts` prints a template's
 * policies. test/review/allow-list.test.ts compares each role of the synthesized template with its
 * list, for several configurations: a new action, a wider resource or a lost condition fails until
 * the list is changed on purpose, in the same review.
 */
export interface RoleAllowList {
  /** The role's logical id without hash, e.g. `ModelExecutionRole`. */
  readonly role: string;
  /** The permissions for a configuration, one line each. */
  readonly lines: (c: SummarizerConfig, stackName: string) => readonly string[];
}

/** `Allow <action> on <resource>[ when …]`, for every action and resource given. */
export function allow(actions: string | readonly string[], resources: string | readonly string[], when?: string): string[] {
  return [actions].flat().flatMap((a) => [resources].flat().map((r) => `Allow ${a} on ${r}${when ? ` when ${when}` : ''}`));
}

/** An object pattern in the document bucket. */
export const documents = (path: string): string => `{DocumentsBucket.Arn}/${path}`;
export const ACCOUNT_ARN = (service: string, resource: string): string => `arn:{AWS::Partition}:${service}:{AWS::Region}:{AWS::AccountId}:${resource}`;

/** A function's own log group, encrypted with the operations key (handler-function.ts). */
export const functionLogs = (logsId: string): string[] => allow(['logs:CreateLogStream', 'logs:PutLogEvents'], `{${logsId}.Arn}`);
/** X-Ray tracing, on every function: the actions take no resource. */
export const XRAY = allow(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], '*');
/** A function reading the model handler's CDK asset. */
export const HANDLER_ASSET = allow('s3:GetObject', 'arn:{AWS::Partition}:s3:::cdk-hnb659fds-assets-{AWS::AccountId}-{AWS::Region}/<hash>.zip');
export const DATA_KEY_WRITE = allow(['kms:Decrypt', 'kms:GenerateDataKey'], '{DataKey.Arn}');

/** The bucket and prefix a staged model is read from (modelSource staged or s3://). */
export function stagedSource(c: SummarizerConfig): { bucket: string; prefix: string } {
  if (c.modelSource === 'staged') return { bucket: '{DocumentsBucket}', prefix: `models/${c.modelId}/${c.modelRevision}/` };
  const { bucket, key: prefix } = parseS3Url(c.modelSource)!;
  return { bucket, prefix };
}
export const isStaged = (c: SummarizerConfig): boolean => c.modelDataUrl === undefined && c.modelSource !== 'hub';
export const isHub = (c: SummarizerConfig): boolean => c.modelDataUrl === undefined && c.modelSource === 'hub';
