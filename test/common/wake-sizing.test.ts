import { instancesToWake } from '../../common/wake-sizing';

describe('instancesToWake: what target tracking would ask for from zero, at least 1, at most the maximum', () => {
  test.each([
    [0, 1],
    [1, 1],
    [5, 1],
    [6, 2],
    [15, 3],
    [16, 4],
    [10_000, 4],
    [-3, 1],
    [Number.NaN, 1],
  ])('%d waiting → %d', (waiting, instances) => {
    expect(instancesToWake(waiting, { backlogPerInstance: 5, maxInstances: 4 })).toBe(instances);
  });
});
