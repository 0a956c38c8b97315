import { createHash } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';

/**
 * A loopback imitation of the Hugging Face Hub's endpoints that `summarizer stage-model` uses,
 * shaped as huggingface_hub and huggingface.js expect them (cli/hub.ts cites each):
 * - `/api/models/<id>/revision/<rev>` → `{ sha }`, or 404 with `X-Error-Code: RevisionNotFound` /
 *   `RepoNotFound`, or 401 `GatedRepo` without the right token;
 * - `/api/models/<id>/tree/<sha>?recursive=true` → entries, two per page, with `Link: rel="next"`;
 * - `/<id>/resolve/<sha>/<path>` → 302 to a second server (the CDN) on another port, which honours
 *   `Range` and can cut a transfer short or serve corrupted bytes.
 * Both listen on 127.0.0.1 only and close themselves after `lifetimeMs` even if a test forgets.
 */
export interface FakeRepo {
  readonly id: string;
  readonly commit: string;
  /** Branch and tag names resolving to the commit. */
  readonly refs?: readonly string[];
  readonly files: Readonly<Record<string, Buffer>>;
  /** Files stored in LFS (listed with lfs.oid = sha256). */
  readonly lfs?: readonly string[];
  /** A gated model: only this token may read it. */
  readonly token?: string;
}

export interface FakeHubFaults {
  /** Cut the next N CDN transfers of this path short (the connection closes mid-body). */
  truncate?: Record<string, number>;
  /** Serve this path with one byte flipped, every time. */
  corrupt?: Set<string>;
}

export interface RecordedRequest {
  readonly server: 'hub' | 'cdn';
  readonly url: string;
  readonly authorization?: string;
  readonly range?: string;
}

const gitOid = (content: Buffer) => createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

export class FakeHub {
  readonly requests: RecordedRequest[] = [];
  readonly faults: FakeHubFaults = {};
  private hub!: http.Server;
  private cdn!: http.Server;
  private timer?: NodeJS.Timeout;
  endpoint = '';
  private cdnUrl = '';

  constructor(private readonly repos: readonly FakeRepo[]) {}

  async start(lifetimeMs = 120_000): Promise<string> {
    this.hub = http.createServer((req, res) => this.serveHub(req, res));
    this.cdn = http.createServer((req, res) => this.serveCdn(req, res));
    for (const server of [this.hub, this.cdn]) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
    this.cdnUrl = `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}`;
    this.timer = setTimeout(() => void this.stop(), lifetimeMs);
    this.timer.unref();
    return this.endpoint;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    for (const server of [this.hub, this.cdn]) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  /** Requests the CDN answered for one file. */
  cdnRequests(path: string): number {
    return this.requests.filter((r) => r.server === 'cdn' && r.url.endsWith(`/${path}`)).length;
  }

  private repo(id: string): FakeRepo | undefined {
    return this.repos.find((r) => r.id === id);
  }

  private refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'x-error-code': code, 'x-error-message': message, 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: message }));
  }

  private serveHub(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url!, this.endpoint);
    this.requests.push({ server: 'hub', url: url.pathname + url.search, authorization: req.headers.authorization });
    const api = /^\/api\/models\/(.+)\/(revision|tree)\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/(.+?\/.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const id = api?.[1] ?? resolve?.[1];
    const repo = id === undefined ? undefined : this.repo(id);
    if (!repo) return this.refuse(res, 404, 'RepoNotFound', 'Repository not found');
    if (repo.token && req.headers.authorization !== `Bearer ${repo.token}`) {
      return this.refuse(res, 401, 'GatedRepo', `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it.`);
    }
    const revision = decodeURIComponent(api?.[3] ?? resolve![2]);
    if (revision !== repo.commit && !(repo.refs ?? []).includes(revision)) {
      return this.refuse(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    }
    if (api?.[2] === 'revision') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ id: repo.id, sha: repo.commit, siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })) }));
    }
    if (api?.[2] === 'tree') {
      const entries = Object.entries(repo.files).map(([path, content]) => ({
        type: 'file',
        path,
        size: content.length,
        oid: repo.lfs?.includes(path) ? gitOid(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(content)}\nsize ${content.length}\n`)) : gitOid(content),
        ...(repo.lfs?.includes(path) ? { lfs: { oid: sha256(content), size: content.length, pointerSize: 134 } } : {}),
      }));
      const page = Number(url.searchParams.get('cursor') ?? 0);
      const next = page + 2 < entries.length ? `<${this.endpoint}${url.pathname}?recursive=true&cursor=${page + 2}>; rel="next"` : undefined;
      res.writeHead(200, { 'content-type': 'application/json', ...(next ? { link: next } : {}) });
      return void res.end(JSON.stringify(entries.slice(page, page + 2)));
    }
    const path = decodeURIComponent(resolve![3]);
    if (!(path in repo.files)) return this.refuse(res, 404, 'EntryNotFound', `${path} does not exist on "${revision}"`);
    res.writeHead(302, { location: `${this.cdnUrl}/${repo.id}/${repo.commit}/${path}` });
    res.end();
  }

  private serveCdn(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url!, this.cdnUrl);
    this.requests.push({ server: 'cdn', url: url.pathname, authorization: req.headers.authorization, range: req.headers.range });
    const [, id, commit, path] = /^\/(.+?\/.+?)\/([0-9a-f]{40})\/(.+)$/.exec(decodeURIComponent(url.pathname)) ?? [];
    const content = this.repo(id)?.commit === commit ? this.repo(id)!.files[path] : undefined;
    if (!content) return void res.writeHead(404).end();
    const body = Buffer.from(content);
    if (this.faults.corrupt?.has(path)) body[body.length >> 1] ^= 0xff;
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const [first, last] = range ? [Number(range[1]), Math.min(Number(range[2]), body.length - 1)] : [0, body.length - 1];
    const slice = body.subarray(first, last + 1);
    res.writeHead(range ? 206 : 200, { 'content-length': slice.length, ...(range ? { 'content-range': `bytes ${first}-${last}/${body.length}` } : {}) });
    const cut = this.faults.truncate?.[path] ?? 0;
    if (cut > 0) {
      this.faults.truncate![path] = cut - 1;
      res.write(slice.subarray(0, slice.length >> 1));
      return void setImmediate(() => res.socket?.destroy());
    }
    res.end(slice);
  }
}
