/**
 * Benchmark: submitting 10,000 async requests with `summarizer load`'s submitter (bounded
 * concurrency, rate limiter, retries) against a mocked SageMaker runtime that answers after a
 * simulated network round trip, next to a one-at-a-time loop like the reference notebook's.
 * Prints requests/second, peak memory, and the ratio. A benchmark, not a test: it asserts nothing.
 *
 *   npm run bench:submit [-- --count 10000 --latency-ms 2 --concurrency 64]
 */
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { submitLoadRequests } from '../cli/commands/load';
import { Resources } from '../cli/resources';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const count = arg('count', 10_000);
const latencyMs = arg('latency-ms', 2);
const concurrency = arg('concurrency', 64);

const runtimeMock = mockClient(SageMakerRuntimeClient);
runtimeMock.on(InvokeEndpointAsyncCommand).callsFake(
  (input) =>
    new Promise((resolve) =>
      setTimeout(() => resolve({ InferenceId: input.InferenceId, OutputLocation: `s3://b/output/${input.InferenceId}.out` }), latencyMs),
    ),
);

const resources: Resources = { stackName: 'bench', bucket: 'b', endpointName: 'ep', invocationTimeoutSeconds: 900, hasPipeline: false };
const runtime = new SageMakerRuntimeClient({ region: 'us-east-1' });

async function measure(label: string, work: () => Promise<number>): Promise<{ label: string; perSecond: number; seconds: number; peakRssMb: number }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = process.hrtime.bigint();
  const done = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { label, perSecond: done / seconds, seconds, peakRssMb: peak / 2 ** 20 };
}

async function main(): Promise<void> {
  console.log(`${count} InvokeEndpointAsync calls, simulated round trip ${latencyMs} ms, node ${process.version}`);

  const sequential = await measure('one at a time (notebook loop)', async () => {
    let ok = 0;
    for (let i = 0; i < count; i++) {
      await runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: 'ep', InputLocation: 's3://b/requests/a.json', InferenceId: `seq-${i}`, ContentType: 'application/json' }));
      ok++;
    }
    return ok;
  });

  const pooled = await measure(`summarizer load (concurrency ${concurrency})`, async () => {
    const results = await submitLoadRequests(
      [{ location: 's3://b/requests/a.json', contentType: 'application/json' }, { location: 's3://b/requests/b.txt', contentType: 'text/plain' }],
      { resources, count, ratePerSecond: 1_000_000, concurrency, runId: 'bench' },
      { s3: new S3Client({ region: 'us-east-1' }), runtime, sagemaker: new SageMakerClient({ region: 'us-east-1' }) },
    );
    return results.filter((r) => !r.error).length;
  });

  for (const r of [sequential, pooled]) {
    console.log(`${r.label.padEnd(36)} ${r.perSecond.toFixed(0).padStart(7)} req/s  ${r.seconds.toFixed(2).padStart(6)} s  peak RSS ${r.peakRssMb.toFixed(0)} MB`);
  }
  console.log(`speed-up: ${(pooled.perSecond / sequential.perSecond).toFixed(1)}x`);
}

void main();
