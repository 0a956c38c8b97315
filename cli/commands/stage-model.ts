import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { mapPoolFailFast } from '../../common/concurrency';
import { isNotFound } from '../../common/s3-errors';
export { STAGED_PREFIX_URL } from '../../common/staged-model';
import { invalidModelPath, MANIFEST_FORMAT, manifestKeyOf, parseStagedManifest, StagedFile, StagedManifest, stagedPrefix } from '../../common/staged-model';
import { Hub, HubFile } from '../hub';
import type { Progress } from '../progress';
import { CliError } from '../stack-outputs';

/**
 * `summarizer stage-model <id>@<revision>`: copies a Hub model's files once into S3, laid out as
 * SageMaker loads an uncompressed model (common/staged-model.ts), so the endpoint never contacts
 * the Hub. Runs on the operator's machine, which can reach the Hub; idempotent (a file already
 * staged with the same git object id is not transferred again) and resumable (cli/hub.ts).
 */

/** Weight formats the handler cannot load (it loads PyTorch weights with transformers). */
const OTHER_FRAMEWORKS = [/\.h5$/, /\.msgpack$/, /\.ot$/, /\.onnx(_data)?$/, /\.tflite$/, /\.mlmodel$/, /\.gguf$/, /(^|\/)(onnx|openvino|coreml|tf|flax)\//];
const PYTORCH_BIN = /(^|\/)pytorch_model(-\d+-of-\d+)?\.bin(\.index\.json)?$/;
const SAFETENSORS = /\.safetensors(\.index\.json)?$/;
/** Repository files nothing loads: git metadata, the model card, images, training state (a pickle). */
const NOT_NEEDED = [/^\.git/, /\.md$/i, /\.(png|jpe?g|gif|svg)$/i, /(^|\/)training_args\.bin$/, /(^|\/)(optimizer|scheduler|rng_state.*)\.pt$/];

export interface FileChoice {
  readonly files: HubFile[];
  /** Left out, and why. */
  readonly skipped: Array<{ path: string; reason: string }>;
}

/**
 * The files the model needs: PyTorch weights in one format (safetensors when the repository has
 * them, which transformers prefers too, else pytorch_model*.bin), the configuration and the
 * tokenizer. A repository's own `code/` is left out: this app's handler goes there.
 */
export function chooseFiles(all: readonly HubFile[]): FileChoice {
  const hasSafetensors = all.some((f) => SAFETENSORS.test(f.path));
  const files: HubFile[] = [];
  const skipped: FileChoice['skipped'] = [];
  for (const f of all) {
    const invalid = invalidModelPath(f.path);
    let reason: string | undefined;
    if (invalid) reason = `its path ${invalid}`;
    else if (f.path === 'code' || f.path.startsWith('code/')) reason = "code/ is where this app's handler goes";
    else if (NOT_NEEDED.some((p) => p.test(f.path))) reason = 'not needed to load the model';
    else if (OTHER_FRAMEWORKS.some((p) => p.test(f.path))) reason = 'weights for another framework';
    else if (hasSafetensors && PYTORCH_BIN.test(f.path)) reason = 'the same weights as the safetensors files';
    if (reason) skipped.push({ path: f.path, reason });
    else files.push(f);
  }
  if (!files.some((f) => SAFETENSORS.test(f.path) || PYTORCH_BIN.test(f.path))) {
    throw new CliError(`no PyTorch weights (*.safetensors or pytorch_model*.bin) among the repository's files: ${all.map((f) => f.path).join(', ') || 'none'}`);
  }
  if (!files.some((f) => f.path === 'config.json')) throw new CliError('the repository has no config.json: transformers could not load it');
  return { files, skipped };
}

export interface StageTarget {
  readonly bucket: string;
  /** Ends in "/". */
  readonly prefix: string;
}

export interface StageOptions {
  readonly modelId: string;
  readonly revision: string;
  /** Where to stage; `prefix` empty: `models/<id>/<commit>/` (the app's layout, known once the commit is). */
  readonly bucket: string;
  readonly prefix?: string;
  /** Where downloads are kept until uploaded (and resumed from). */
  readonly cacheDir: string;
  readonly concurrency: number;
}

export interface StageDeps {
  readonly hub: Hub;
  readonly s3: S3Client;
  readonly progress: Progress;
  readonly log: (line: string) => void;
  readonly now?: () => Date;
}

export interface StageResult {
  readonly modelId: string;
  readonly commit: string;
  readonly target: StageTarget;
  readonly copied: StagedFile[];
  readonly alreadyStaged: StagedFile[];
  readonly skipped: FileChoice['skipped'];
  /** The manifest was written (false: an identical one was there). */
  readonly manifestWritten: boolean;
}

/** Metadata on each staged object: how a second run knows it is there already. */
const OID_METADATA = 'hub-oid';
const SHA256_METADATA = 'sha256';

function explainS3(e: unknown, target: StageTarget, action: string): never {
  const name = (e as Error).name;
  if (name === 'AccessDenied' || name === 'Forbidden' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
    throw new CliError(
      `cannot ${action} s3://${target.bucket}/${target.prefix} (access denied): staging needs s3:GetObject and s3:PutObject there, and kms:GenerateDataKey and kms:Decrypt on the bucket's key`,
    );
  }
  if (name === 'NoSuchBucket') throw new CliError(`bucket ${target.bucket} does not exist (deploy the stack first, or pass --to s3://<bucket>/<prefix>/)`);
  throw new CliError(`cannot ${action} s3://${target.bucket}/${target.prefix}: ${name}: ${(e as Error).message}`);
}

/** The staged object's SHA-256 when it holds exactly this Hub file, else undefined. */
async function stagedSha256(s3: S3Client, target: StageTarget, file: HubFile): Promise<string | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.prefix + file.path }));
    const oid = head.Metadata?.[OID_METADATA];
    return head.ContentLength === file.size && oid === file.oid ? head.Metadata?.[SHA256_METADATA] : undefined;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    return explainS3(e, target, 'read');
  }
}

async function upload(s3: S3Client, target: StageTarget, file: HubFile, local: string, sha256: string): Promise<void> {
  try {
    await new Upload({
      client: s3,
      params: {
        Bucket: target.bucket,
        Key: target.prefix + file.path,
        Body: fs.createReadStream(local),
        Metadata: { [OID_METADATA]: file.oid, [SHA256_METADATA]: sha256 },
      },
      partSize: 64 * 1024 ** 2,
      queueSize: 4,
    }).done();
  } catch (e) {
    explainS3(e, target, 'write to');
  }
}

async function existingManifest(s3: S3Client, target: StageTarget): Promise<StagedManifest | undefined> {
  const key = manifestKeyOf(target.prefix);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    return parseStagedManifest(await object.Body!.transformToString('utf8'), `s3://${target.bucket}/${key}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    if (e instanceof Error && /manifest/.test(e.message)) return undefined;
    return explainS3(e, target, 'read');
  }
}

const sameFiles = (a: readonly StagedFile[], b: readonly StagedFile[]) =>
  a.length === b.length && a.every((f, i) => f.path === b[i].path && f.size === b[i].size && f.sha256 === b[i].sha256);

/** Stages `modelId@revision`: resolve, list, choose, then per file skip, or download, check and upload; the manifest last. */
export async function stageModel(options: StageOptions, deps: StageDeps): Promise<StageResult> {
  const commit = await deps.hub.resolveRevision(options.modelId, options.revision);
  const target: StageTarget = { bucket: options.bucket, prefix: options.prefix ?? stagedPrefix(options.modelId, commit) };
  const { files, skipped } = chooseFiles(await deps.hub.listFiles(options.modelId, commit));
  deps.log(`${options.modelId}@${commit}: ${files.length} files, ${formatBytes(files.reduce((s, f) => s + f.size, 0))} → s3://${target.bucket}/${target.prefix}`);

  const copied: StagedFile[] = [];
  const alreadyStaged: StagedFile[] = [];
  const present = await mapPoolFailFast(files, 16, (f) => stagedSha256(deps.s3, target, f));
  const missing = files.filter((_, i) => present[i] === undefined);
  files.forEach((f, i) => present[i] !== undefined && alreadyStaged.push({ path: f.path, size: f.size, sha256: present[i]! }));

  deps.progress.start(missing.reduce((s, f) => s + f.size, 0), 'Staging', 'bytes');
  try {
    const cache = path.join(options.cacheDir, options.modelId, commit);
    await mapPoolFailFast(missing, options.concurrency, async (file) => {
      const local = path.join(cache, file.path);
      const sha256 = await deps.hub.download(options.modelId, commit, file, local, (n) => deps.progress.increment(n));
      await upload(deps.s3, target, file, local, sha256);
      fs.rmSync(local, { force: true });
      copied.push({ path: file.path, size: file.size, sha256 });
    });
  } finally {
    deps.progress.stop();
  }

  const staged = [...copied, ...alreadyStaged].sort((a, b) => a.path.localeCompare(b.path));
  const previous = await existingManifest(deps.s3, target);
  const manifestWritten = !(previous && previous.modelId === options.modelId && previous.revision === commit && sameFiles(previous.files, staged));
  if (manifestWritten) {
    const manifest: StagedManifest = { format: MANIFEST_FORMAT, modelId: options.modelId, revision: commit, stagedAt: (deps.now ?? (() => new Date()))().toISOString(), files: staged };
    try {
      await deps.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: manifestKeyOf(target.prefix), Body: `${JSON.stringify(manifest, null, 2)}\n`, ContentType: 'application/json' }));
    } catch (e) {
      explainS3(e, target, 'write to');
    }
  }
  return { modelId: options.modelId, commit, target, copied, alreadyStaged, skipped, manifestWritten };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** What the command prints: what was copied, what was there, what was left out, and how to deploy it. */
export function stageReport(result: StageResult, appLayout: boolean): string {
  const lines = [
    `Staged ${result.modelId}@${result.commit} in s3://${result.target.bucket}/${result.target.prefix}`,
    `  copied: ${result.copied.length} files (${formatBytes(result.copied.reduce((s, f) => s + f.size, 0))}); already staged: ${result.alreadyStaged.length} files${result.manifestWritten ? '' : '; manifest unchanged'}`,
  ];
  for (const s of result.skipped) lines.push(`  left out: ${s.path} (${s.reason})`);
  const source = appLayout ? 'staged' : `s3://${result.target.bucket}/${result.target.prefix}`;
  lines.push('', 'Deploy it with:', `  npx cdk deploy -c modelSource=${source} -c modelId=${result.modelId} -c modelRevision=${result.commit}`, '');
  return lines.join('\n');
}

/** Where downloads wait until uploaded: $XDG_CACHE_HOME/summarizer/hub, else ~/.cache/summarizer/hub. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'summarizer', 'hub');
}
