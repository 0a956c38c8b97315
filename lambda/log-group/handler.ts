import {
  AssociateKmsKeyCommand,
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { withRetry } from '../../common/retry';
import type { Logger } from '../shared/log';

/**
 * The endpoint's log group, created or adopted. SageMaker writes to a name it fixes,
 * `/aws/sagemaker/Endpoints/<endpoint name>`, and the group must outlive the stack (logs are kept
 * for review after `cdk destroy`). An `AWS::Logs::LogGroup` with that name and Retain then
 * breaks the next deploy of the same stage, or a switch back to an instance type used before:
 * CloudFormation refuses to create a named resource that exists. So this custom resource
 * creates the group, or adopts the one a previous stack left, and in both cases applies the key
 * and the retention. It never deletes the group unless `RemoveOnDelete` (dataRemovalPolicy=destroy).
 */
export interface LogGroupProperties {
  readonly LogGroupName: string;
  readonly KmsKeyArn: string;
  readonly RetentionInDays: string;
  /** "true" to delete the group with the stack. */
  readonly RemoveOnDelete: string;
}

export interface LogGroupDeps {
  readonly logs: Pick<CloudWatchLogsClient, 'send'>;
  readonly log: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
}

const nameOf = (e: unknown) => (e as Error)?.name;
const retry = <T>(operation: () => Promise<T>, deps: LogGroupDeps) => withRetry(operation, { attempts: 5, baseDelayMs: 500, sleep: deps.sleep });

/** Creates the group, or takes over the existing one; either way it ends with the key and the retention. */
async function ensureLogGroup(p: LogGroupProperties, deps: LogGroupDeps): Promise<'created' | 'adopted'> {
  let outcome: 'created' | 'adopted' = 'created';
  try {
    await retry(() => deps.logs.send(new CreateLogGroupCommand({ logGroupName: p.LogGroupName, kmsKeyId: p.KmsKeyArn })), deps);
  } catch (e) {
    if (nameOf(e) !== 'ResourceAlreadyExistsException') throw e;
    outcome = 'adopted';
    // New log events are encrypted with this key from now on; what was written before stays
    // readable with the key it was written with (CloudWatch Logs AssociateKmsKey).
    await retry(() => deps.logs.send(new AssociateKmsKeyCommand({ logGroupName: p.LogGroupName, kmsKeyId: p.KmsKeyArn })), deps);
  }
  await retry(() => deps.logs.send(new PutRetentionPolicyCommand({ logGroupName: p.LogGroupName, retentionInDays: Number(p.RetentionInDays) })), deps);
  return outcome;
}

export async function handleLogGroupEvent(event: CloudFormationCustomResourceEvent, deps: LogGroupDeps): Promise<CloudFormationCustomResourceResponse> {
  const p = event.ResourceProperties as unknown as LogGroupProperties;
  const base = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  try {
    if (event.RequestType === 'Delete') {
      // The physical id is the group's name; a create that failed left another id, and nothing to delete.
      if (p.RemoveOnDelete === 'true' && event.PhysicalResourceId === p.LogGroupName) {
        try {
          await retry(() => deps.logs.send(new DeleteLogGroupCommand({ logGroupName: p.LogGroupName })), deps);
        } catch (e) {
          if (nameOf(e) !== 'ResourceNotFoundException') throw e;
        }
        deps.log('info', 'deleted the endpoint log group', { logGroupName: p.LogGroupName });
      } else {
        deps.log('info', 'kept the endpoint log group', { logGroupName: event.PhysicalResourceId });
      }
      return { ...base, Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId };
    }
    // Create, or Update (a new name when the instance type changes: CloudFormation then sends a
    // Delete for the old name, which keeps it).
    const outcome = await ensureLogGroup(p, deps);
    deps.log('info', `${outcome} the endpoint log group`, { logGroupName: p.LogGroupName, retentionInDays: p.RetentionInDays });
    return { ...base, Status: 'SUCCESS', PhysicalResourceId: p.LogGroupName, Data: { LogGroupName: p.LogGroupName, Outcome: outcome } };
  } catch (e) {
    const reason = `${nameOf(e)}: ${(e as Error).message}`;
    deps.log('error', 'the endpoint log group could not be created or adopted', { logGroupName: p.LogGroupName, reason });
    return {
      ...base,
      Status: 'FAILED',
      Reason: `log group ${p.LogGroupName}: ${reason}`,
      PhysicalResourceId: event.RequestType === 'Create' ? `failed-${event.RequestId}` : event.PhysicalResourceId,
    };
  }
}
