// Real `redis-server` processes for tests: started on free ports of 127.0.0.1 (never the
// machine's own Redis on 6379), each in its own temporary directory, and stopped by the test
// that started them. Each server runs under a small shell watchdog that SIGKILLs it when the
// test process goes away, however it ends, so that no server outlives its test.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one inline command over a fresh connection; resolves to the raw reply, or rejects. */
export function rawCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply to ${command} on port ${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.endsWith('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const live = new Map<ChildProcess, RedisServer>();
process.once('exit', () => {
  // The server first: a watchdog killed first could not kill it any more.
  for (const [child, server] of live) {
    if (server.pid !== 0 && isAlive(server.pid)) process.kill(server.pid, 'SIGKILL');
    child.kill('SIGKILL');
  }
});

/** Options of {@link startRedis}. */
export interface RedisServerOptions {
  /** The port; a free one when left out. Given to restart a server where it was. */
  port?: number;
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: readonly string[];
  /** The working directory (RDB, cluster config); a fresh temporary one when left out. */
  dir?: string;
}

/** A `redis-server` process started by a test. */
export class RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly args: readonly string[];
  /** The `redis-server` process id (not the watchdog's). */
  pid = 0;
  #watchdog: ChildProcess | undefined;
  #ownsDir: boolean;

  private constructor(port: number, dir: string, args: readonly string[], ownsDir: boolean) {
    this.port = port;
    this.dir = dir;
    this.args = args;
    this.#ownsDir = ownsDir;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a server and resolves once it answers PING. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sessionkit-redis-'));
    for (let attempt = 0; ; attempt++) {
      const port = options.port ?? (await freePort());
      const server = new RedisServer(port, dir, options.args ?? [], ownsDir);
      try {
        await server.#launch();
        return server;
      } catch (error) {
        // Another process may have taken a port found free a moment ago: try another.
        if (options.port !== undefined || attempt >= 4) {
          if (ownsDir) rmSync(dir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  async #launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
      '--daemonize',
      'no',
      ...this.args,
    ];
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // The watchdog prints the server's pid, then waits on its stdin: when this process dies,
    // the pipe closes, `read` returns and the server is killed.
    const script = `redis-server ${quoted} >/dev/null 2>&1 & pid=$!; echo $pid; read _; kill -9 $pid 2>/dev/null`;
    const watchdog = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#watchdog = watchdog;
    live.set(watchdog, this);
    watchdog.once('exit', () => live.delete(watchdog));
    this.pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      watchdog.stdout.setEncoding('utf8');
      watchdog.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      watchdog.once('error', reject);
      watchdog.once('exit', () => reject(new Error('the redis-server watchdog exited early')));
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (!isAlive(this.pid)) {
        this.#release();
        throw new Error(`redis-server on port ${this.port} exited at start`);
      }
      try {
        if ((await rawCommand(this.port, 'PING', 500)) === '+PONG\r\n') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`redis-server on port ${this.port} did not answer PING within 10 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  #release(): void {
    const watchdog = this.#watchdog;
    if (watchdog !== undefined && watchdog.exitCode === null) watchdog.stdin?.end();
  }

  /** SIGKILLs the server (a crash) and resolves once it is gone. */
  async kill(): Promise<void> {
    await this.#signal('SIGKILL');
    this.#release();
  }

  /** SIGSTOPs the server: its sockets stay open and nothing answers. */
  pause(): void {
    process.kill(this.pid, 'SIGSTOP');
  }

  /** SIGCONTs a paused server. */
  resume(): void {
    process.kill(this.pid, 'SIGCONT');
  }

  /** Kills the server, then starts a fresh one (empty, same arguments) on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#launch();
  }

  /** Stops the server for good and removes its directory. */
  async stop(): Promise<void> {
    await this.kill();
    if (this.#ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs `redis-cli` against this server; returns its stdout. */
  cli(...args: string[]): string {
    return redisCli('-p', String(this.port), ...args);
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    if (this.pid === 0 || !isAlive(this.pid)) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + 5000;
    while (isAlive(this.pid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** True while the process exists and is not a zombie (its state, on Linux, read from /proc). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: signal 0 is all there is
  }
}

/** Runs `redis-cli` on 127.0.0.1 with these arguments; throws when it fails. */
export function redisCli(...args: string[]): string {
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) {
    throw new Error(`redis-cli ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

/** Starts a Redis server on a free port. Stop it with `server.stop()`. */
export function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  return RedisServer.start(options);
}

/** A local Redis Cluster of three masters and no replicas. */
export class RedisCluster {
  readonly nodes: readonly RedisServer[];
  private constructor(nodes: readonly RedisServer[]) {
    this.nodes = nodes;
  }

  /** `[{ host, port }, …]` of the masters. */
  get addresses(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  /**
   * Starts three `redis-server --cluster-enabled yes` processes on free ports and joins them
   * with `redis-cli --cluster create`; resolves once every slot is served.
   */
  static async start(): Promise<RedisCluster> {
    const nodes: RedisServer[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        nodes.push(
          await RedisServer.start({
            args: [
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              'nodes.conf',
              '--cluster-node-timeout',
              '2000',
              '--cluster-port',
              String(await freePort()),
            ],
          }),
        );
      }
      redisCli(
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      );
      const deadline = Date.now() + 20_000;
      while (!nodes.every((n) => n.cli('cluster', 'info').includes('cluster_state:ok'))) {
        if (Date.now() > deadline) throw new Error('the cluster did not reach state ok in 20 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return new RedisCluster(nodes);
    } catch (error) {
      await Promise.all(nodes.map((n) => n.stop()));
      throw error;
    }
  }

  /** Stops every node. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

/** Starts a three-master cluster. Stop it with `cluster.stop()`. */
export function startRedisCluster(): Promise<RedisCluster> {
  return RedisCluster.start();
}
