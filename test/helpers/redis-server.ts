/**
 * Test harness: a real `redis-server` child process on a free loopback port, with an ioredis
 * client and a ready-made agentauth `RedisCommand`. Shared by every suite that needs Redis.
 *
 * ```ts
 * import { startRedis, useRedis } from '../helpers/redis-server.js'
 *
 * // Suite-level (beforeAll/afterAll registered for you):
 * const redis = useRedis({ appendonly: true })
 * it('…', async () => { await redis().command(['PING']) })
 *
 * // Inside a test (closed automatically when the test finishes; close() early if you like):
 * const server = await startRedis({ appendonly: true, appendfsync: 'always' })
 * await server.kill(); await server.restart()
 * ```
 *
 * If `redis-server` is not installed the start FAILS with a clear message (never skips): install
 * it with `apt-get install -y redis-server` (CI's `.ci/run` does), or point `REDIS_SERVER_BIN` at it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis, type RedisOptions } from 'ioredis'
import { afterAll, beforeAll, onTestFinished } from 'vitest'
import { ioredisCommand, type RedisCommand } from '../../src/stores/redis/index.js'

export interface RedisServerOptions {
  /** Turn on the append-only file (durability). Default false. */
  appendonly?: boolean
  /** AOF fsync policy when `appendonly` is on. Default `'always'` (no acknowledged write lost). */
  appendfsync?: 'always' | 'everysec' | 'no'
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '10mb']`. */
  args?: readonly string[]
  /** Path of the binary; default `$REDIS_SERVER_BIN` or `redis-server` on PATH. */
  bin?: string
  /** Longest wait for the server to answer PING, per start (default 10 000 ms). */
  startTimeoutMs?: number
  /** Overrides for the ioredis clients the harness creates. */
  clientOptions?: RedisOptions
}

export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Working directory (`--dir`), holding the AOF when enabled. Removed by `close()`. */
  readonly dir: string
  /** `redis-server` version, e.g. `'7.0.15'`. */
  readonly version: string
  /** An ioredis client that reconnects forever (every 50 ms) across stop/kill/restart. */
  readonly client: Redis
  /** `ioredisCommand(client)`: pass it to the agentauth Redis stores. */
  readonly command: RedisCommand
  /** True while the process is running (also while paused). */
  readonly running: boolean
  /** Another ioredis client on this server (closed by `close()`). */
  newClient(options?: RedisOptions): Redis
  /** A RedisCommand over a fresh client, e.g. to simulate a second verifier process. */
  newCommand(options?: RedisOptions): RedisCommand
  /** FLUSHALL. */
  flush(): Promise<void>
  /** Graceful SIGTERM (Redis fsyncs the AOF on the way out); resolves when the process exited. */
  stop(): Promise<void>
  /** SIGKILL, like a crash; resolves when the process exited. */
  kill(): Promise<void>
  /** Starts the server again on the same port, dir and arguments (stopping it first if running). */
  restart(): Promise<void>
  /** SIGSTOP now and SIGCONT after `ms`; the promise resolves once resumed. Simulates a stall. */
  pause(ms: number): Promise<void>
  /** SIGSTOP until `resume()`. */
  suspend(): void
  /** SIGCONT. */
  resume(): void
  /** The server's recent stdout/stderr (for failure messages). */
  log(): string
  /** Kills the server, closes every client and removes `dir`. Idempotent. */
  close(): Promise<void>
}

const live = new Set<ChildProcess>()
let exitHookInstalled = false
function trackForExit(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL')
    })
  }
}

const versions = new Map<string, string>()
/** The version of `bin`, or a clear error when it is not installed. */
export function redisServerVersion(bin: string = process.env.REDIS_SERVER_BIN ?? 'redis-server'): string {
  const cached = versions.get(bin)
  if (cached !== undefined) return cached
  const res = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  if (res.error !== undefined || res.status !== 0) {
    throw new Error(
      `redis-server is required by the Redis store tests but could not be run (${bin}: ${res.error?.message ?? `exit ${res.status}`}). ` +
        'Install it with `apt-get install -y redis-server` (CI does this in .ci/run) or set REDIS_SERVER_BIN.',
    )
  }
  const version = /v=(\d+\.\d+\.\d+)/.exec(res.stdout)?.[1]
  if (version === undefined) throw new Error(`cannot read the redis-server version from: ${res.stdout}`)
  if (Number(version.split('.')[0]) < 7 && !(version.startsWith('6.2'))) {
    throw new Error(`redis-server ${version} is too old: SET … EXAT needs Redis >= 6.2`)
  }
  versions.set(bin, version)
  return version
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/** One raw PING over TCP; resolves true on +PONG (false on LOADING, refusal, anything else). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port })
    const done = (ok: boolean): void => {
      sock.destroy()
      resolve(ok)
    }
    sock.setTimeout(500, () => done(false))
    sock.once('error', () => done(false))
    sock.once('connect', () => sock.write('PING\r\n'))
    sock.once('data', (d) => done(d.toString('latin1').startsWith('+PONG')))
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Starts a `redis-server` on a free loopback port and waits until it answers PING. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = options.bin ?? process.env.REDIS_SERVER_BIN ?? 'redis-server'
  const version = redisServerVersion(bin)
  const startTimeoutMs = options.startTimeoutMs ?? 10_000
  const dir = mkdtempSync(join(tmpdir(), 'agentauth-redis-'))
  let output = ''
  let child: ChildProcess | undefined
  let port = 0
  let closed = false

  const args = (p: number): string[] => [
    '--port', String(p), '--bind', '127.0.0.1', '--daemonize', 'no', '--dir', dir, '--logfile', '',
    '--save', '', '--appendonly', options.appendonly === true ? 'yes' : 'no',
    '--appendfsync', options.appendfsync ?? 'always',
    ...(Number(version.split('.')[0]) >= 7 ? ['--enable-debug-command', 'local'] : []),
    ...(options.args ?? []),
  ]

  async function spawnOnce(p: number): Promise<void> {
    const c = spawn(bin, args(p), { stdio: ['ignore', 'pipe', 'pipe'] })
    trackForExit(c)
    const append = (d: Buffer): void => {
      output = (output + d.toString('utf8')).slice(-32_768)
    }
    c.stdout?.on('data', append)
    c.stderr?.on('data', append)
    let spawnError: Error | undefined
    c.once('error', (e) => (spawnError = e))
    child = c
    const deadline = Date.now() + startTimeoutMs
    for (;;) {
      if (spawnError !== undefined) throw new Error(`cannot spawn ${bin}: ${spawnError.message}`)
      if (c.exitCode !== null || c.signalCode !== null) {
        throw new Error(`redis-server exited during start (code ${c.exitCode}, signal ${c.signalCode}):\n${output}`)
      }
      if (await ping(p)) return
      if (Date.now() > deadline) {
        c.kill('SIGKILL')
        throw new Error(`redis-server did not answer PING on port ${p} within ${startTimeoutMs} ms:\n${output}`)
      }
      await sleep(20)
    }
  }

  // A free port can be taken between probing and binding: retry with a new one.
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    output = ''
    try {
      await spawnOnce(port)
      break
    } catch (err) {
      if (attempt >= 5 || !/Address already in use/i.test(output)) {
        rmSync(dir, { recursive: true, force: true })
        throw err
      }
    }
  }

  const clients = new Set<Redis>()
  const newClient = (extra?: RedisOptions): Redis => {
    const client = new Redis({
      host: '127.0.0.1',
      port,
      connectTimeout: 1000,
      maxRetriesPerRequest: null,
      retryStrategy: () => 50,
      ...options.clientOptions,
      ...extra,
    })
    client.on('error', () => {}) // reconnect noise while the server is down on purpose
    clients.add(client)
    return client
  }
  const client = newClient()
  const isRunning = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null

  async function signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const c = child
    if (c === undefined || !isRunning()) return
    if (signal !== 'SIGKILL') c.kill('SIGCONT') // a suspended server would not handle SIGTERM
    c.kill(signal)
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000)
    await waitExit(c)
    clearTimeout(timer)
  }

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    version,
    client,
    command: ioredisCommand(client),
    get running(): boolean {
      return isRunning()
    },
    newClient,
    newCommand: (extra) => ioredisCommand(newClient(extra)),
    async flush() {
      await client.call('FLUSHALL')
    },
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
    async restart() {
      if (closed) throw new Error('redis server was closed')
      await signalAndWait('SIGTERM')
      await spawnOnce(port)
    },
    async pause(ms) {
      server.suspend()
      await sleep(ms)
      server.resume()
    },
    suspend() {
      if (isRunning()) child!.kill('SIGSTOP')
    },
    resume() {
      if (isRunning()) child!.kill('SIGCONT')
    },
    log: () => output,
    async close() {
      if (closed) return
      closed = true
      for (const c of clients) c.disconnect()
      await signalAndWait('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }
  // Started inside a test: close it when that test finishes (outside a test vitest throws here;
  // then the caller owns close(), or uses useRedis()). The exit hook kills strays either way.
  try {
    onTestFinished(() => server.close())
  } catch {
    // not inside a running test
  }
  return server
}

/**
 * Starts one server for the enclosing `describe` (or file) in `beforeAll` and closes it in
 * `afterAll`. Returns an accessor, valid inside tests and later hooks.
 */
export function useRedis(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined
  beforeAll(async () => {
    server = await startRedis(options)
  }, (options.startTimeoutMs ?? 10_000) * 5 + 5000)
  afterAll(async () => {
    await server?.close()
  })
  return () => {
    if (server === undefined) throw new Error('useRedis(): the server is not started (call the accessor inside tests or hooks)')
    return server
  }
}
