import type { SummarizerConfig } from './schema';

/**
 * GPU memory per single-GPU instance type, in GB: NVIDIA T4 16 (g4dn), A10G 24 (g5), L4 24 (g6),
 * V100 16 (p3), as the Amazon EC2 accelerated computing instance specifications list them
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html). Types not listed are not checked.
 */
export const GPU_MEMORY_GB: Readonly<Record<string, number>> = {
  'ml.g4dn.xlarge': 16,
  'ml.g4dn.2xlarge': 16,
  'ml.g5.xlarge': 24,
  'ml.g5.2xlarge': 24,
  'ml.g6.xlarge': 24,
  'ml.g6.2xlarge': 24,
  'ml.p3.2xlarge': 16,
};

/**
 * ⚠ GPU memory one model-server worker needs for PEGASUS-large (568 M parameters: 2.3 GB of fp32
 * weights) generating `summaryBatchSize` 8 windows with the model's 8 beams. An estimate with
 * headroom, not a measurement: each worker loads its own copy of the model, and the handler halves
 * its batch on CUDA out-of-memory, so an overestimate only limits the worker count.
 */
export const WORKER_GPU_MEMORY_GB = 8;

/**
 * Model-server workers per instance: the configured count, or one per concurrent invocation so
 * that `maxConcurrentInvocationsPerInstance` requests really run at once. Unset, the container's
 * model server (MMS) starts one worker per GPU whatever the concurrency: the SageMaker inference
 * toolkit writes `default_workers_per_model` only when `SAGEMAKER_MODEL_SERVER_WORKERS` is set
 * (model_server._generate_mms_config_properties), and MMS defaults it to the "available GPUs in
 * system" (MMS docs/configuration.md). The second request then only waits on the instance.
 */
export function modelServerWorkers(c: Pick<SummarizerConfig, 'modelServerWorkers' | 'maxConcurrentInvocationsPerInstance'>): number {
  return c.modelServerWorkers > 0 ? c.modelServerWorkers : c.maxConcurrentInvocationsPerInstance;
}

/** Problems with the worker count: more than SageMaker ever sends, or more than the GPU holds. */
export function modelServerProblems(c: SummarizerConfig): string[] {
  const workers = modelServerWorkers(c);
  const problems: string[] = [];
  const shown = c.modelServerWorkers > 0 ? `modelServerWorkers: got ${c.modelServerWorkers}` : `modelServerWorkers: 0 means one per concurrent invocation (${workers})`;
  if (workers > c.maxConcurrentInvocationsPerInstance) {
    problems.push(
      `${shown}; expected at most maxConcurrentInvocationsPerInstance (${c.maxConcurrentInvocationsPerInstance}): SageMaker never sends an instance more requests than that, so extra workers only hold GPU memory.`,
    );
  }
  const gpu = GPU_MEMORY_GB[c.instanceType];
  if (gpu !== undefined && workers * WORKER_GPU_MEMORY_GB > gpu) {
    const fits = Math.floor(gpu / WORKER_GPU_MEMORY_GB);
    problems.push(
      `${shown}; expected at most ${fits} on ${c.instanceType} (${gpu} GB of GPU memory, about ${WORKER_GPU_MEMORY_GB} GB per worker). Lower modelServerWorkers or maxConcurrentInvocationsPerInstance, or choose a larger instance type.`,
    );
  }
  return problems;
}
