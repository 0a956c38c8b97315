import { handleWakeCheck, isAlarmInvocation, WAKE_CHECK_RECHECK_ATTEMPTS } from '../../lambda/invoker/wake-check';

/** The payload CloudWatch sends a Lambda alarm action (CloudWatch user guide, "Lambda alarm action payload"), trimmed. */
const alarmEvent = (state: string) => ({
  source: 'aws.cloudwatch' as const,
  alarmArn: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:StrandedRequests',
  accountId: '111122223333',
  time: '2026-11-25T12:36:15.490+0000',
  region: 'us-east-1',
  alarmData: { alarmName: 'StrandedRequests', state: { value: state, reason: 'Threshold Crossed', timestamp: '2026-11-25T12:36:15.490+0000' }, previousState: { value: 'OK' } },
});

test('tells an alarm invocation from an SQS batch and a scheduled event', () => {
  expect(isAlarmInvocation(alarmEvent('ALARM'))).toBe(true);
  expect(isAlarmInvocation({ Records: [] })).toBe(false);
  expect(isAlarmInvocation({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toBe(false);
  expect(isAlarmInvocation({ source: 'aws.cloudwatch' })).toBe(false);
  expect(isAlarmInvocation(undefined)).toBe(false);
});

test('ALARM: looks now (whatever was seen recently) and waits out a scale-in for up to 4 minutes', async () => {
  const logs: unknown[] = [];
  const wakeIfIdle = jest.fn(async () => 'woken' as const);
  const outcome = await handleWakeCheck(alarmEvent('ALARM'), { waker: { wakeIfIdle }, log: (...line) => logs.push(line) });
  expect(outcome).toBe('woken');
  expect(wakeIfIdle).toHaveBeenCalledWith(WAKE_CHECK_RECHECK_ATTEMPTS);
  expect(WAKE_CHECK_RECHECK_ATTEMPTS * 15).toBe(240); // inside the invoker's 300 s timeout
  expect(logs).toContainEqual(['info', 'wake check', { alarm: 'StrandedRequests', state: 'ALARM', outcome: 'woken' }]);
});

test('the return to OK, or a stack without the waker, does nothing', async () => {
  const wakeIfIdle = jest.fn();
  const log = jest.fn();
  await expect(handleWakeCheck(alarmEvent('OK'), { waker: { wakeIfIdle }, log })).resolves.toBe('ignored');
  await expect(handleWakeCheck(alarmEvent('ALARM'), { log })).resolves.toBe('ignored');
  expect(wakeIfIdle).not.toHaveBeenCalled();
});
