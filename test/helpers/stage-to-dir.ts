/**
 * Lays a model repository out as a SageMaker instance would see it after `summarizer stage-model`
 * and a deploy with modelSource=staged, through the real code at every step:
 *
 * 1. the repository's files are served by the loopback Hub (test/helpers/fake-hub.ts);
 * 2. `stageModel` (cli/commands/stage-model.ts) copies what the model needs into an S3 server on
 *    loopback (s3rver), under models/<id>/<commit>/, with its manifest;
 * 3. the deploy-time copy (lambda/staged-model/handler.ts) makes the servable prefix, adding the
 *    handler from the archive the stack ships (lib/constructs/model-handler-code.ts);
 * 4. every object under that prefix is written to `<out>/<key minus the prefix>`, the mapping the
 *    API reference gives for S3Prefix with CompressionType None (S3ModelDataSource).
 *
 * Usage: tsx test/helpers/stage-to-dir.ts <repository dir> <out dir>; prints what was staged and
 * left out, as JSON. Used by model/tests/test_serve.py (the real model server then loads <out>).
 * Everything listens on 127.0.0.1 and stops before the script ends; the script exits after 120 s
 * whatever happens.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { stageModel } from '../../cli/commands/stage-model';
import { silentProgress } from '../../cli/progress';
import { Hub } from '../../cli/hub';
import { servablePrefix, stagedPrefix } from '../../common/staged-model';
import { makeServable } from '../../lambda/staged-model/handler';
import { MODEL_CODE_DIR, writeModelCodeArchive } from '../../lib/constructs/model-handler-code';
import { FakeHub } from './fake-hub';

const MODEL_ID = 'test/tiny-pegasus';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

function filesOf(dir: string, base = dir): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, filesOf(full, base));
    else files[path.relative(base, full).split(path.sep).join('/')] = fs.readFileSync(full);
  }
  return files;
}

async function main(repository: string, out: string): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-to-dir-'));
  const files = filesOf(repository);
  const hub = new FakeHub([{ id: MODEL_ID, commit: COMMIT, refs: ['main'], files, lfs: Object.keys(files).filter((f) => files[f].length > 100_000) }]);
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(work, 's3'), configureBuckets: [{ name: 'docs', configs: [] }, { name: 'assets', configs: [] }] });
  const { port } = await server.run();
  const s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  try {
    const endpoint = await hub.start(110_000);
    const staged = await stageModel(
      { modelId: MODEL_ID, revision: 'main', bucket: 'docs', cacheDir: path.join(work, 'cache'), concurrency: 2 },
      { hub: new Hub({ endpoint }), s3, progress: silentProgress, log: () => undefined },
    );
    writeModelCodeArchive(MODEL_CODE_DIR, path.join(work, 'handler.tar.gz'));
    await s3.send(new PutObjectCommand({ Bucket: 'assets', Key: 'handler.tar.gz', Body: fs.readFileSync(path.join(work, 'handler.tar.gz')) }));
    const source = stagedPrefix(MODEL_ID, COMMIT);
    const servable = servablePrefix(source, 'e'.repeat(64));
    await makeServable(
      {
        SourceBucket: 'docs',
        SourcePrefix: source,
        DestinationBucket: 'docs',
        DestinationPrefix: servable,
        HandlerUrl: 's3://assets/handler.tar.gz',
        ModelId: MODEL_ID,
        ModelRevision: COMMIT,
        KmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
        StageCommand: 'stage-model',
      },
      { s3, log: () => undefined },
    );
    const listed = (await s3.send(new ListObjectsV2Command({ Bucket: 'docs', Prefix: servable }))).Contents ?? [];
    for (const object of listed) {
      const target = path.join(out, object.Key!.slice(servable.length));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, await (await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: object.Key! }))).Body!.transformToByteArray());
    }
    process.stdout.write(`${JSON.stringify({ staged: staged.copied.map((f) => f.path).sort(), skipped: staged.skipped, servable: listed.map((o) => o.Key!.slice(servable.length)).sort() })}\n`);
  } finally {
    s3.destroy();
    await server.close();
    await hub.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

setTimeout(() => {
  process.stderr.write('stage-to-dir: gave up after 120 s\n');
  process.exit(2);
}, 120_000).unref();
main(process.argv[2], process.argv[3]).catch((e) => {
  process.stderr.write(`stage-to-dir: ${(e as Error).stack}\n`);
  process.exit(1);
});
