/**
 * The layout of a staged model, shared by `summarizer stage-model` (which writes it), the stack
 * (which names it), the function that makes it servable and `summarizer preflight` (which read it).
 *
 * `models/<modelId>/<revision>/<file>`: the model repository's files, uncompressed, as SageMaker's
 * `S3DataType: S3Prefix` with `CompressionType: None` maps them into /opt/ml/model ("for each S3
 * object under the key name prefix … SageMaker will trim its key by the prefix, and use the
 * remainder as the path (relative to /opt/ml/model)"; a valid prefix "always ends with a forward
 * slash": SageMaker API reference, S3ModelDataSource).
 *
 * `models/<modelId>/<revision>.manifest.json`: written last, so its presence means every file is
 * there. Beside the prefix rather than in it, so it never lands in /opt/ml/model.
 */

/** An S3 prefix URL, `s3://<bucket>/<prefix>/`: where a model can be staged (bucket, prefix ending in "/"). */
export const STAGED_PREFIX_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/((?:[\w.@=+-]+\/)+)$/;

/** Where staged models live in the app's bucket. */
export const STAGED_MODELS_PREFIX = 'models/';

export const MANIFEST_FORMAT = 'summarizer-staged-model/1';

export interface StagedFile {
  /** Path in the repository, and under the staged prefix. */
  readonly path: string;
  readonly size: number;
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
}

export interface StagedManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly modelId: string;
  /** The commit the files came from (a branch asked for is resolved to its commit). */
  readonly revision: string;
  readonly stagedAt: string;
  readonly files: readonly StagedFile[];
}

/** `models/<modelId>/<revision>/`. */
export function stagedPrefix(modelId: string, revision: string): string {
  return `${STAGED_MODELS_PREFIX}${modelId}/${revision}/`;
}

/** The manifest's key: the prefix without its final slash, plus `.manifest.json`. */
export function manifestKeyOf(prefix: string): string {
  return `${prefix.replace(/\/$/, '')}.manifest.json`;
}

/**
 * The servable copy's prefix: the staged one's with the handler's hash appended
 * (`models/<id>/<revision>-handler-<hash>/`), so a new handler never overwrites the one a running
 * model was created with.
 */
export function servablePrefix(prefix: string, handlerHash: string): string {
  return `${prefix.replace(/\/$/, '')}-handler-${handlerHash.slice(0, 12)}/`;
}

/**
 * Path segments SageMaker cannot turn into file names under /opt/ml/model (empty, ".", "..",
 * longer than 255 bytes: S3ModelDataSource's rules), and anything that would escape it.
 */
export function invalidModelPath(path: string): string | undefined {
  if (path.startsWith('/') || path.includes('\0')) return 'absolute or contains a NUL byte';
  for (const part of path.split('/')) {
    if (part === '' || part.trim() === '') return 'has an empty path segment';
    if (part === '.' || part === '..') return `has a "${part}" segment`;
    if (Buffer.byteLength(part) > 255) return 'has a segment longer than 255 bytes';
  }
  return undefined;
}

/** Reads and checks a manifest; `where` names it in errors. */
export function parseStagedManifest(text: string, where: string): StagedManifest {
  let m: Partial<StagedManifest>;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where} is not JSON (${(e as Error).message})`);
  }
  const files = m.files;
  const fileOk = (f: StagedFile) =>
    typeof f?.path === 'string' && invalidModelPath(f.path) === undefined && Number.isSafeInteger(f.size) && f.size >= 0 && /^[0-9a-f]{64}$/.test(f.sha256);
  if (m.format !== MANIFEST_FORMAT || typeof m.modelId !== 'string' || typeof m.revision !== 'string' || !Array.isArray(files) || files.length === 0 || !files.every(fileOk)) {
    throw new Error(`${where} is not a ${MANIFEST_FORMAT} manifest (format, modelId, revision and files [{path, size, sha256}] expected)`);
  }
  return m as StagedManifest;
}
