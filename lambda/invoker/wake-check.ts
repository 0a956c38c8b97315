import type { EndpointWaker, WakeOutcome } from '../../common/endpoint-waker';
import type { Logger } from '../shared/log';

/**
 * The part of a CloudWatch alarm's Lambda action we read. CloudWatch invokes the function
 * asynchronously once per state change ("CloudWatch alarms guarantees an asynchronous invocation
 * of the Lambda function for a given state change", CloudWatch user guide, "Invoke a Lambda
 * function from an alarm"), with `source: "aws.cloudwatch"` and the new state in `alarmData.state`.
 */
export interface AlarmInvocation {
  readonly source: 'aws.cloudwatch';
  readonly alarmArn?: string;
  readonly alarmData: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
}

export function isAlarmInvocation(event: unknown): event is AlarmInvocation {
  const e = event as Partial<AlarmInvocation> | undefined;
  return e?.source === 'aws.cloudwatch' && typeof e.alarmData === 'object' && e.alarmData !== null;
}

/**
 * How long the wake check waits out a scale-in still in progress: 16 × 15 s = 4 minutes, inside
 * the invoker's 5-minute timeout. The alarm invokes once per state change, so this is the one
 * chance before the 12-minute step-scaling backstop.
 */
export const WAKE_CHECK_RECHECK_ATTEMPTS = 16;

/**
 * The stranded-requests alarm (`HasBacklogWithoutCapacity` Maximum ≥ 1 in a minute) went to
 * ALARM: requests wait with no instance in service. During a wake that is every cold start, and
 * the endpoint has instances asked for: nothing to do. At rest at zero, a scale-in decided on
 * stale datapoints (or a client that submitted straight to the endpoint) left requests behind:
 * wake it, sized by the work waiting.
 */
export async function handleWakeCheck(event: AlarmInvocation, deps: { readonly waker?: Pick<EndpointWaker, 'wakeIfIdle'>; readonly log: Logger }): Promise<WakeOutcome | 'ignored'> {
  const context = { alarm: event.alarmData.alarmName, state: event.alarmData.state?.value };
  if (event.alarmData.state?.value !== 'ALARM' || !deps.waker) {
    deps.log('info', 'wake check: nothing to do', { ...context, waker: Boolean(deps.waker) });
    return 'ignored';
  }
  const outcome = await deps.waker.wakeIfIdle(WAKE_CHECK_RECHECK_ATTEMPTS);
  deps.log('info', 'wake check', { ...context, outcome });
  return outcome;
}
