import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { mapPoolFailFast } from '../common/concurrency';
import { CliError } from './stack-outputs';

/**
 * A small client for the Hugging Face Hub's documented HTTP endpoints, which is all staging
 * needs, with the transfers a 2 GB download over a flaky link deserves: ranged, parallel,
 * resumable across runs and checked against the repository's own hashes.
 *
 * - `GET /api/models/{id}/revision/{revision}` → `{ sha }`: a branch or tag resolved to its commit.
 * - `GET /api/models/{id}/tree/{commit}?recursive=true` → `[{ type, path, size, oid, lfs? }]`,
 *   paginated with a `Link: <…>; rel="next"` header (huggingface.js `listFiles`).
 * - `GET /{id}/resolve/{commit}/{path}` → the file, usually by a redirect to a CDN that honours
 *   `Range`.
 * - Errors carry `X-Error-Code` (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`,
 *   `GatedRepo`) and `X-Error-Message` (huggingface_hub `utils/_http.py`, `hf_raise_for_status`).
 *
 * `HF_ENDPOINT` moves the Hub (huggingface_hub's variable for mirrors; the tests' loopback Hub).
 * `HF_TOKEN` is sent to the Hub only: never to another host a redirect leads to.
 */
export const DEFAULT_HUB = 'https://huggingface.co';

export interface HubOptions {
  readonly endpoint?: string;
  readonly token?: string;
  /** Injected in tests. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Bytes per ranged request. @default 64 MiB */
  readonly chunkBytes?: number;
  /** Ranged requests in flight per file. @default 4 */
  readonly chunkConcurrency?: number;
  /** Attempts per request (network errors, 5xx, 429, short bodies). @default 4 */
  readonly attempts?: number;
}

export interface HubFile {
  readonly path: string;
  readonly size: number;
  /** The git object id: of the content, or of the LFS pointer for a large file. */
  readonly oid: string;
  /** SHA-256 of the content, for files stored in LFS (or Xet). */
  readonly sha256?: string;
}

const MAX_REDIRECTS = 5;
const API_TIMEOUT_MS = 60_000;
/** A 64 MB chunk over a slow link; the request is retried past this. */
const CHUNK_TIMEOUT_MS = 10 * 60_000;

class RetryableError extends Error {}

/** Git's object id of a blob: sha1("blob <size>\0" + content). */
export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export class Hub {
  readonly endpoint: string;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: HubOptions = {}) {
    this.endpoint = (options.endpoint ?? DEFAULT_HUB).replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The commit a revision (commit, branch or tag) names. */
  async resolveRevision(modelId: string, revision: string): Promise<string> {
    const response = await this.request(`${this.endpoint}/api/models/${modelId}/revision/${encodeURIComponent(revision)}`, {}, API_TIMEOUT_MS);
    const body = (await response.json()) as { sha?: string };
    if (typeof body.sha !== 'string' || !/^[0-9a-f]{40}$/.test(body.sha)) throw new CliError(`the Hub's answer for ${modelId}@${revision} has no commit hash`);
    return body.sha;
  }

  /** Every file of the repository at a commit. */
  async listFiles(modelId: string, commit: string): Promise<HubFile[]> {
    const files: HubFile[] = [];
    let url: string | undefined = `${this.endpoint}/api/models/${modelId}/tree/${commit}?recursive=true`;
    for (let page = 0; url !== undefined; page++) {
      if (page >= 1000) throw new CliError(`listing ${modelId}@${commit} did not end after 1000 pages`);
      const response = await this.request(url, {}, API_TIMEOUT_MS);
      const entries = (await response.json()) as Array<{ type: string; path: string; size: number; oid: string; lfs?: { oid: string } }>;
      for (const e of entries) {
        if (e.type === 'file') files.push({ path: e.path, size: e.size, oid: e.oid, sha256: e.lfs?.oid });
      }
      const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '');
      url = next ? new URL(next[1], this.endpoint).toString() : undefined;
    }
    return files;
  }

  /**
   * Downloads one file to `target` and returns its SHA-256, checked against the repository's
   * (SHA-256 for LFS files, the git blob id for others). Resumable: finished ranges are recorded
   * in `<target>.part.json`, so a second run fetches only what is missing. A file that does not
   * match is deleted, so the next run starts over.
   */
  async download(modelId: string, commit: string, file: HubFile, target: string, onBytes: (n: number) => void = () => undefined): Promise<string> {
    const url = `${this.endpoint}/${modelId}/resolve/${commit}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
    const part = `${target}.part`;
    const state = `${part}.json`;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const chunk = this.options.chunkBytes ?? 64 * 1024 ** 2;
    const chunks = Math.max(1, Math.ceil(file.size / chunk));
    const done = new Set<number>(readState(state, file));
    if (!fs.existsSync(part)) done.clear();
    const fd = fs.openSync(part, fs.existsSync(part) ? 'r+' : 'w');
    try {
      fs.ftruncateSync(fd, file.size);
      for (const i of done) onBytes(Math.min(file.size, (i + 1) * chunk) - i * chunk);
      const todo = Array.from({ length: chunks }, (_, i) => i).filter((i) => !done.has(i));
      await mapPoolFailFast(todo, this.options.chunkConcurrency ?? 4, async (i) => {
        const first = i * chunk;
        const last = Math.min(file.size, first + chunk) - 1;
        const body = file.size === 0 ? Buffer.alloc(0) : await this.fetchRange(url, first, last, file);
        fs.writeSync(fd, body, 0, body.length, first);
        done.add(i);
        fs.writeFileSync(state, JSON.stringify({ oid: file.oid, size: file.size, chunk, done: [...done] }));
        onBytes(body.length);
      });
    } finally {
      fs.closeSync(fd);
    }
    const { sha256, matches, expected, got } = verify(part, file);
    if (!matches) {
      fs.rmSync(part, { force: true });
      fs.rmSync(state, { force: true });
      throw new CliError(`${modelId}@${commit}: ${file.path} does not match the Hub's checksum (expected ${expected}, got ${got}); the download was discarded, run the command again`);
    }
    fs.renameSync(part, target);
    fs.rmSync(state, { force: true });
    return sha256;
  }

  private async fetchRange(url: string, first: number, last: number, file: HubFile): Promise<Buffer> {
    const expected = last - first + 1;
    return this.withRetries(`${file.path} bytes ${first}-${last}`, async () => {
      const response = await this.request(url, { range: `bytes=${first}-${last}` }, CHUNK_TIMEOUT_MS, false);
      let body: Buffer;
      try {
        body = Buffer.from(await response.arrayBuffer());
      } catch (e) {
        throw new RetryableError(`${file.path}: the transfer of bytes ${first}-${last} broke off (${(e as Error).message})`);
      }
      // A server that ignores Range sends the whole file (200): take the slice asked for.
      if (response.status === 200 && body.length === file.size) body = body.subarray(first, last + 1);
      if (body.length !== expected) throw new RetryableError(`${file.path}: got ${body.length} of ${expected} bytes (bytes ${first}-${last}); the transfer was cut short`);
      return body;
    });
  }

  /** GET with the token for the Hub only, redirects followed by hand, errors explained. */
  private async request(url: string, headers: Record<string, string>, timeoutMs: number, retry = true): Promise<Response> {
    const once = async () => {
      let current = url;
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        const toHub = new URL(current).origin === new URL(this.endpoint).origin;
        const auth: Record<string, string> = toHub && this.options.token ? { authorization: `Bearer ${this.options.token}` } : {};
        let response: Response;
        try {
          response = await this.fetchImpl(current, { headers: { ...headers, ...auth, 'user-agent': 'pegasus-summarizer/stage-model' }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
        } catch (e) {
          throw new RetryableError(`cannot reach ${new URL(current).host}: ${(e as Error).message}`);
        }
        if ([301, 302, 303, 307, 308].includes(response.status)) {
          const location = response.headers.get('location');
          await response.body?.cancel();
          if (!location) throw new CliError(`${current}: redirect without a Location header`);
          current = new URL(location, current).toString();
          continue;
        }
        if (response.ok) return response;
        await this.explain(response, url);
      }
      throw new CliError(`${url}: more than ${MAX_REDIRECTS} redirects`);
    };
    return retry ? this.withRetries(url, once) : once();
  }

  private async explain(response: Response, url: string): Promise<never> {
    const code = response.headers.get('x-error-code') ?? '';
    const message = response.headers.get('x-error-message') ?? (await response.text().catch(() => '')).slice(0, 300);
    const what = url.replace(this.endpoint, this.endpoint === DEFAULT_HUB ? 'the Hub' : this.endpoint);
    if (response.status === 429 || response.status >= 500) throw new RetryableError(`${what}: HTTP ${response.status} ${message}`.trim());
    if (code === 'GatedRepo' || ((response.status === 401 || response.status === 403) && /gated|access to model/i.test(message))) {
      throw new CliError(
        this.options.token
          ? `this model is gated and the token in HF_TOKEN has no access: accept its terms on the Hub with the token's account (${what}: ${message})`
          : `this model is gated: accept its terms on the Hub, then set HF_TOKEN to an access token of that account (${what})`,
      );
    }
    if (code === 'RevisionNotFound') throw new CliError(`no such revision: ${message || what} (a commit hash, branch or tag of the repository)`);
    if (code === 'RepoNotFound' || (response.status === 401 && !this.options.token)) {
      throw new CliError(`no such model on the Hub, or it is private (then set HF_TOKEN): ${what}`);
    }
    if (code === 'EntryNotFound' || response.status === 404) throw new CliError(`not found on the Hub: ${what}${message ? ` (${message})` : ''}`);
    throw new CliError(`${what}: HTTP ${response.status}${message ? ` ${message}` : ''}`);
  }

  private async withRetries<T>(what: string, work: () => Promise<T>): Promise<T> {
    const attempts = this.options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        if (attempt >= attempts) throw new CliError(`${e.message} (after ${attempts} attempts: ${what})`);
        await this.sleep(500 * 2 ** attempt);
      }
    }
  }
}

function readState(state: string, file: HubFile): number[] {
  try {
    const s = JSON.parse(fs.readFileSync(state, 'utf8'));
    return s.oid === file.oid && s.size === file.size && Array.isArray(s.done) ? s.done : [];
  } catch {
    return [];
  }
}

/** SHA-256 of the file, and whether it matches the repository's hash. */
function verify(file: string, expected: HubFile): { sha256: string; matches: boolean; expected: string; got: string } {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${expected.size}\0`);
  const buffer = Buffer.alloc(8 * 1024 ** 2);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) {
      sha256.update(buffer.subarray(0, n));
      if (!expected.sha256) sha1.update(buffer.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  const digest = sha256.digest('hex');
  if (expected.sha256) return { sha256: digest, matches: digest === expected.sha256, expected: `sha256 ${expected.sha256}`, got: `sha256 ${digest}` };
  const blob = sha1.digest('hex');
  return { sha256: digest, matches: blob === expected.oid, expected: `git ${expected.oid}`, got: `git ${blob}` };
}
