/**
 * Waking an endpoint at zero instances the moment work is submitted to it, rather than after the
 * `HasBacklogWithoutCapacity` alarm: used by the pipeline's invoker and by the CLI's direct
 * submissions alike. The planner simulates it with the same sizing rule (wake-sizing.ts).
 */
import {
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  SageMakerClient,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { instancesToWake, type WakeSizing } from './wake-sizing';

/** Where the waker says what it did (the Lambdas' JSON logger, or the CLI's stderr). */
export type WakeLog = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

/**
 * How long a look at the endpoint that found capacity (or a wake already under way) is trusted
 * before the next submission describes it again. Reaching zero takes `idleScaleInMinutes` (≥ 1)
 * with nothing queued or in flight, or a whole minute of zero backlog for target tracking, and
 * every submission puts a request in that backlog; what trusting can still miss, a scale-in
 * decided on datapoints older than the submission, the wake check catches (`wakeIfIdle`).
 */
export const CAPACITY_TRUSTED_FOR_MS = 30_000;

/**
 * A submission that finds a scale-in to zero still in progress (`Updating`, no instance asked for)
 * looks again this often, this many times (60 s in all, inside the invoker's 5-minute timeout),
 * and wakes the endpoint once the scale-in has finished. Then it gives up for
 * `CAPACITY_TRUSTED_FOR_MS`, leaving the wake alarm's backstop to it.
 */
export const UPDATING_RECHECK = { attempts: 4, delayMs: 15_000 } as const;

/** What a submission found: capacity (or capacity coming), an endpoint to wake, or one busy updating. */
export type EndpointState = 'has-capacity' | 'idle' | 'updating';

/**
 * Reads DescribeEndpoint for one variant. `DesiredInstanceCount` > 0 means instances are running
 * or already asked for (by us, the wake alarm or target tracking); 0 while `InService` is an
 * endpoint at rest at zero; 0 while `Updating` is a scale-in to zero in progress, which refuses
 * another capacity change until it ends ("When it receives the request, SageMaker sets the
 * endpoint status to Updating. After updating the endpoint, it sets the status to InService",
 * UpdateEndpointWeightsAndCapacities API reference).
 */
export function endpointState(endpoint: Pick<DescribeEndpointCommandOutput, 'EndpointStatus' | 'ProductionVariants'>, variantName: string): EndpointState {
  const variant = endpoint.ProductionVariants?.find((v) => v.VariantName === variantName);
  if ((variant?.DesiredInstanceCount ?? 0) > 0 || (variant?.CurrentInstanceCount ?? 0) > 0) return 'has-capacity';
  return endpoint.EndpointStatus === 'InService' ? 'idle' : 'updating';
}

export type WakeOutcome = EndpointState | 'woken' | 'trusted' | 'failed';

export interface EndpointWakerSettings extends WakeSizing {
  readonly endpointName: string;
  readonly variantName: string;
}

export interface EndpointWakerOptions {
  readonly sagemaker: SageMakerClient;
  readonly settings: EndpointWakerSettings;
  readonly log: WakeLog;
  /** Requests submitted and not finished (the invoker counts its table's records; the CLI, its batch); absent or failing, the wake asks for 1. */
  readonly waitingWork?: () => Promise<number>;
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Wakes an endpoint at zero instances as soon as work is submitted to it, instead of waiting for
 * the `HasBacklogWithoutCapacity` alarm (1-2 minutes after the request, depending on the second it
 * arrived and on CloudWatch's publication delay). The wake check and the 12-minute step-scaling
 * alarm stay as backstops: every failure here is logged and ignored, never failing a submission.
 *
 * Setting the instance count directly is an "out-of-band change" Application Auto Scaling allows:
 * "anytime a scaling policy is invoked … Application Auto Scaling retrieves the current capacity
 * and compares it to the minimum and maximum capacity" (Application Auto Scaling concepts,
 * "Scalable target"), so target tracking and the idle scale-in carry on from the instance this
 * starts. It is the same call, with the same permissions, that Application Auto Scaling's
 * SageMaker role makes.
 *
 * One waker lives at module scope per Lambda container and trusts what it last saw (or did) for
 * `CAPACITY_TRUSTED_FOR_MS`, so a burst costs one DescribeEndpoint per container every 30 s. A
 * failed call is not trusted: the next submission tries again.
 */
export class EndpointWaker {
  private trustedUntil = 0;
  private inProgress?: Promise<WakeOutcome>;

  private readonly sagemaker: SageMakerClient;
  private readonly settings: EndpointWakerSettings;
  private readonly log: WakeLog;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: EndpointWakerOptions) {
    ({ sagemaker: this.sagemaker, settings: this.settings, log: this.log } = options);
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  private async look(): Promise<EndpointState> {
    const output = await this.sagemaker.send(new DescribeEndpointCommand({ EndpointName: this.settings.endpointName }));
    return endpointState(output, this.settings.variantName);
  }

  /** How many instances this wake asks for; 1 when the waiting work cannot be counted. */
  private async size(): Promise<{ instances: number; waiting?: number }> {
    if (!this.options.waitingWork) return { instances: 1 };
    try {
      const waiting = await this.options.waitingWork();
      return { instances: instancesToWake(waiting, this.settings), waiting };
    } catch (error) {
      this.log('warn', 'could not count the waiting requests; waking one instance', { error: (error as Error)?.name, reason: (error as Error)?.message });
      return { instances: 1 };
    }
  }

  private setInstances(count: number): Promise<unknown> {
    return this.sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: this.settings.endpointName,
        DesiredWeightsAndCapacities: [{ VariantName: this.settings.variantName, DesiredInstanceCount: count }],
      }),
    );
  }

  /**
   * Call after submitting work; resolves to what it found and did, and never rejects. Calls made
   * while a look is in progress share it (concurrent submissions wake the endpoint once).
   */
  afterSubmit(): Promise<WakeOutcome> {
    if (this.clock() < this.trustedUntil) return Promise.resolve('trusted');
    return this.once(UPDATING_RECHECK.attempts);
  }

  /**
   * Looks now, whatever was seen recently, and wakes the endpoint if it is at rest at zero: for
   * the alarm that says requests are waiting with no instance in service (a scale-in decided on
   * stale datapoints can leave one behind). A scale-in still in progress is looked at again for
   * `recheckAttempts` × 15 s.
   */
  wakeIfIdle(recheckAttempts: number = UPDATING_RECHECK.attempts): Promise<WakeOutcome> {
    return this.once(recheckAttempts);
  }

  private once(recheckAttempts: number): Promise<WakeOutcome> {
    this.inProgress ??= this.lookAndWake(recheckAttempts).finally(() => (this.inProgress = undefined));
    return this.inProgress;
  }

  private async lookAndWake(recheckAttempts: number): Promise<WakeOutcome> {
    const { endpointName } = this.settings;
    try {
      let state = await this.look();
      for (let i = 0; state === 'updating' && i < recheckAttempts; i++) {
        await this.sleep(UPDATING_RECHECK.delayMs);
        state = await this.look();
      }
      if (state === 'idle') {
        const { instances: wanted, waiting } = await this.size();
        let instances = wanted;
        try {
          await this.setInstances(wanted);
        } catch (error) {
          // More instances than the account's quota allows (ResourceLimitExceeded): one will do.
          if (wanted === 1 || (error as Error)?.name !== 'ResourceLimitExceeded') throw error;
          this.log('warn', `could not start ${wanted} instances; waking one`, { endpointName, reason: (error as Error)?.message });
          await this.setInstances((instances = 1));
        }
        this.log('info', 'woke the endpoint', { endpointName, instances, waiting });
      } else if (state === 'updating') {
        this.log('warn', 'the endpoint is still updating with no instance asked for; the HasBacklogWithoutCapacity alarm will wake it', { endpointName });
      }
      this.trustedUntil = this.clock() + CAPACITY_TRUSTED_FOR_MS;
      return state === 'idle' ? 'woken' : state;
    } catch (error) {
      // Two containers waking at once: the second finds the endpoint updating (ValidationException).
      this.log('warn', 'could not wake the endpoint; the HasBacklogWithoutCapacity alarm will', {
        endpointName,
        error: (error as Error)?.name,
        reason: (error as Error)?.message,
      });
      return 'failed';
    }
  }
}
