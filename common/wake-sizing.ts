/**
 * How many instances a wake asks for: shared by the waker (endpoint-waker.ts) and the planner,
 * which simulates exactly this rule. No SDK here, so the planner loads none.
 */
export interface WakeSizing {
  /** Target tracking's `ApproximateBacklogSizePerInstance`: one instance per this many waiting requests. */
  readonly backlogPerInstance: number;
  /** The scalable target's `maxCapacity`: never more. */
  readonly maxInstances: number;
}

/**
 * Instances to wake for `waiting` requests: what target tracking would ask for from zero
 * (ceil(backlog ÷ target), the planner's ⚠ sizing assumption), at least 1 and at most the
 * maximum. Sized at the wake because the endpoint refuses another change while those instances
 * start (⚠ `updateBlocksScaling`): a burst woken with 1 would get the rest a cold start later.
 */
export function instancesToWake(waiting: number, sizing: WakeSizing): number {
  const wanted = Math.ceil(Math.max(0, waiting) / sizing.backlogPerInstance);
  return Math.min(sizing.maxInstances, Math.max(1, Number.isFinite(wanted) ? wanted : 1));
}
