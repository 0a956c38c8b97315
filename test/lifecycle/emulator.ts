import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * moto in server mode on 127.0.0.1 (test/lifecycle/moto_server.py), in its own process group so
 * that stop() ends it and everything it started. It also stops itself after `lifetimeSeconds`.
 */
export class Emulator {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-'));
  readonly eventsFile = path.join(this.dir, 'custom-resource-events.jsonl');
  private process?: ChildProcess;
  port = 0;

  async start(lifetimeSeconds = 1500): Promise<void> {
    const python = spawnSync('bash', [path.join(ROOT, 'scripts', 'python-env.sh'), 'emulator'], { cwd: ROOT, encoding: 'utf8' });
    if (python.status !== 0) throw new Error(`the emulator environment could not be installed:\n${python.stderr}`);
    this.port = await freePort();
    const log = fs.openSync(path.join(this.dir, 'moto.log'), 'w');
    this.process = spawn(path.join(ROOT, python.stdout.trim().split('\n').at(-1)!), [path.join(__dirname, 'moto_server.py'), String(this.port), this.eventsFile], {
      cwd: this.dir,
      env: { ...process.env, MOTO_LIFETIME_SECONDS: String(lifetimeSeconds) },
      stdio: ['ignore', log, log],
      detached: true,
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`moto exited: ${this.log()}`);
      try {
        if ((await fetch(`${this.endpoint}/moto-api/`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`moto did not answer within 60 s: ${this.log()}`);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * The environment of every AWS client here: the CDK CLI, the CLI of this app, the bundled
   * handlers. AWS_ENDPOINT_URL sends every SDK v3 client to moto. The CDK CLI builds the template
   * URL it gives CloudFormation from AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION; moto reads a
   * path-style template URL only when its host says "localhost" (moto
   * cloudformation/utils.get_stack_from_s3_url), and never connects to it.
   */
  env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${this.port}`,
      AWS_ACCESS_KEY_ID: 'lifecycle',
      AWS_SECRET_ACCESS_KEY: 'lifecycle',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CDK_DISABLE_VERSION_CHECK: 'true',
    };
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'moto.log'), 'utf8').split('\n').slice(-40).join('\n');
    } catch {
      return '(no log)';
    }
  }

  stop(): void {
    const child = this.process;
    this.process = undefined;
    if (!child?.pid) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
