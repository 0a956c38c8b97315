import 'aws-sdk-client-mock-jest';
import { DescribeEndpointCommand, type EndpointStatus, SageMakerClient, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { CAPACITY_TRUSTED_FOR_MS, EndpointWaker, endpointState, UPDATING_RECHECK } from '../../common/endpoint-waker';

const sagemaker = mockClient(SageMakerClient);
const logs: Array<[string, string, Record<string, unknown> | undefined]> = [];
let now = 1_000_000;

const endpoint = (status: EndpointStatus, desired: number, current: number, variant = 'AllTraffic') => ({
  EndpointStatus: status,
  ProductionVariants: [{ VariantName: variant, DesiredInstanceCount: desired, CurrentInstanceCount: current }],
});
const sleeps: number[] = [];
const waker = (waitingWork?: () => Promise<number>) =>
  new EndpointWaker({
    sagemaker: new SageMakerClient({}),
    settings: { endpointName: 'ep', variantName: 'AllTraffic', backlogPerInstance: 5, maxInstances: 4 },
    log: (level, message, fields) => logs.push([level, message, fields]),
    waitingWork,
    clock: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });

beforeEach(() => {
  sagemaker.reset();
  logs.length = 0;
  sleeps.length = 0;
  now = 1_000_000;
});

describe('endpointState', () => {
  test.each([
    ['InService', 0, 0, 'idle'],
    ['InService', 1, 1, 'has-capacity'],
    ['Updating', 1, 0, 'has-capacity'], // a wake (ours, the alarm's or target tracking's) under way
    ['Updating', 0, 1, 'has-capacity'], // scaling in: the instance still serves what was queued
    ['Updating', 0, 0, 'updating'],
    ['Failed', 0, 0, 'updating'],
  ] as const)('%s, desired %d, current %d: %s', (status, desired, current, expected) => {
    expect(endpointState(endpoint(status, desired, current), 'AllTraffic')).toBe(expected);
  });

  test('reads the named variant only', () => {
    expect(endpointState(endpoint('InService', 3, 3, 'Other'), 'AllTraffic')).toBe('idle');
  });
});

describe('EndpointWaker', () => {
  test('a burst: as many instances as target tracking would ask for the requests already waiting, in one change', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', 0, 0));
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});

    await expect(waker(async () => 12).afterSubmit()).resolves.toBe('woken');
    expect(sagemaker).toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, {
      DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 3 }],
    });
    expect(logs).toContainEqual(['info', 'woke the endpoint', { endpointName: 'ep', instances: 3, waiting: 12 }]);
  });

  test('more instances than the quota allows: falls back to one', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', 0, 0));
    sagemaker
      .on(UpdateEndpointWeightsAndCapacitiesCommand)
      .rejectsOnce(Object.assign(new Error('account-level service limit'), { name: 'ResourceLimitExceeded' }))
      .resolves({});

    await expect(waker(async () => 100).afterSubmit()).resolves.toBe('woken');
    const counts = sagemaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand).map((c) => c.args[0].input.DesiredWeightsAndCapacities![0].DesiredInstanceCount);
    expect(counts).toEqual([4, 1]);
    expect(logs).toContainEqual(['info', 'woke the endpoint', { endpointName: 'ep', instances: 1, waiting: 100 }]);
  });

  test('requests that cannot be counted wake one instance', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', 0, 0));
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});

    const counting = () => Promise.reject(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(waker(counting).afterSubmit()).resolves.toBe('woken');
    expect(sagemaker).toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, { DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 1 }] });
    expect(logs.map(([, m]) => m)).toContain('could not count the waiting requests; waking one instance');
  });

  test('an endpoint with capacity is left alone, and not described again for 30 s', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', 2, 2));
    const w = waker();

    await expect(w.afterSubmit()).resolves.toBe('has-capacity');
    now += CAPACITY_TRUSTED_FOR_MS - 1;
    await expect(w.afterSubmit()).resolves.toBe('trusted');
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeEndpointCommand, 1);
    now += 1;
    await expect(w.afterSubmit()).resolves.toBe('has-capacity');
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeEndpointCommand, 2);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
  });

  test('wakeIfIdle looks now, even right after a look that found capacity (a scale-in on stale datapoints may have happened since)', async () => {
    sagemaker.on(DescribeEndpointCommand).resolvesOnce(endpoint('InService', 1, 1)).resolves(endpoint('InService', 0, 0));
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});
    const w = waker(async () => 7);
    await expect(w.afterSubmit()).resolves.toBe('has-capacity');
    await expect(w.afterSubmit()).resolves.toBe('trusted');
    await expect(w.wakeIfIdle()).resolves.toBe('woken');
    expect(sagemaker).toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, { DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 2 }] });
  });

  test('wakeIfIdle waits out a scale-in as many times as it is told', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('Updating', 0, 0));
    await expect(waker().wakeIfIdle(16)).resolves.toBe('updating');
    expect(sleeps).toHaveLength(16);
  });

  test('concurrent submissions share one look and one wake', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', 0, 0));
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});
    const w = waker();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => w.afterSubmit()));
    expect(outcomes).toEqual(Array(8).fill('woken'));
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeEndpointCommand, 1);
    expect(sagemaker).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
  });

  test('a burst into an idle endpoint wakes it once per container', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', 0, 0));
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});
    const w = waker();
    const outcomes = [];
    for (let i = 0; i < 50; i++) outcomes.push(await w.afterSubmit());
    expect(outcomes[0]).toBe('woken');
    expect(new Set(outcomes.slice(1))).toEqual(new Set(['trusted']));
    expect(sagemaker).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
  });

  test('a scale-in to zero in progress is looked at again every 15 s, and the endpoint woken once it has finished', async () => {
    sagemaker.on(DescribeEndpointCommand).resolvesOnce(endpoint('Updating', 0, 1)).resolvesOnce(endpoint('Updating', 0, 0)).resolvesOnce(endpoint('Updating', 0, 0)).resolves(endpoint('InService', 0, 0));
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});

    // Still draining its last instance: it has capacity, nothing to do.
    await expect(waker().afterSubmit()).resolves.toBe('has-capacity');
    await expect(waker().afterSubmit()).resolves.toBe('woken');
    expect(sleeps).toEqual([UPDATING_RECHECK.delayMs, UPDATING_RECHECK.delayMs]);
    expect(sagemaker).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
  });

  test('an endpoint that stays updating with no instance asked for: after 60 s the waker leaves it to the alarm, says so, and does not hold up the next submissions', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('Updating', 0, 0));
    const w = waker();

    await expect(w.afterSubmit()).resolves.toBe('updating');
    expect(sleeps).toEqual(Array(UPDATING_RECHECK.attempts).fill(UPDATING_RECHECK.delayMs));
    expect(UPDATING_RECHECK.attempts * UPDATING_RECHECK.delayMs).toBe(60_000);
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeEndpointCommand, UPDATING_RECHECK.attempts + 1);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
    expect(logs.map(([level, message]) => `${level}: ${message}`)).toContain(
      'warn: the endpoint is still updating with no instance asked for; the HasBacklogWithoutCapacity alarm will wake it',
    );
    await expect(w.afterSubmit()).resolves.toBe('trusted');
  });

  test.each([
    ['the update is refused (another container woke it first)', UpdateEndpointWeightsAndCapacitiesCommand, 'ValidationException', 'Cannot update in-progress endpoint'],
    ['DescribeEndpoint is throttled', DescribeEndpointCommand, 'ThrottlingException', 'Rate exceeded'],
    ['the role lacks a permission', DescribeEndpointCommand, 'AccessDeniedException', 'not authorized'],
  ])('%s: logged, never thrown, and tried again by the next submission', async (_what, command, name, message) => {
    const error = Object.assign(new Error(message), { name });
    const failsOnce = command === DescribeEndpointCommand;
    const describe = sagemaker.on(DescribeEndpointCommand);
    (failsOnce ? describe.rejectsOnce(error) : describe).resolves(endpoint('InService', 0, 0));
    const update = sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand);
    (failsOnce ? update : update.rejectsOnce(error)).resolves({});
    const w = waker();

    await expect(w.afterSubmit()).resolves.toBe('failed');
    expect(logs).toContainEqual(['warn', 'could not wake the endpoint; the HasBacklogWithoutCapacity alarm will', { endpointName: 'ep', error: name, reason: message }]);
    await expect(w.afterSubmit()).resolves.toBe('woken');
  });
});
