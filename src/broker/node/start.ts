import { randomUUID } from 'node:crypto'
import { lstat, unlink } from 'node:fs/promises'
import { createServer, type Server, type ServerResponse } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { codedTypeError } from '../../errors/index.js'
import type { FetchLike, FetchMiddleware } from '../../internal/fetch-types.js'
import { peekWITProofAlgorithm } from '../../internal/wit-peek.js'
import { auditRecord, writeAudit } from '../audit.js'
import { createCredentialBroker } from '../broker.js'
import { refusal } from '../responses.js'
import type { ApprovalHook } from '../types.js'
import { configError, loadBrokerConfig, type BrokerConfig } from './config.js'
import { checkAuditFile, createFileAuditSink } from './file-audit.js'
import { nodeListener } from './http.js'

/**
 * Options of {@link startBroker}: the config plus what cannot live in JSON (hooks, middleware).
 *
 * @example
 * ```ts
 * import type { StartBrokerOptions } from 'agentauth/broker/node'
 * const options: StartBrokerOptions = { config: '/etc/agentauth/broker.json', onError: (err) => console.error(err) }
 * ```
 */
export interface StartBrokerOptions {
  /** Path of a JSON config file, or the config object itself. */
  config: string | BrokerConfig
  /** Base directory for relative paths in an object config. Default: the file's directory, or the working directory. */
  baseDir?: string
  /** Environment for `capabilityToken.env`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Approval hook (see `createCredentialBroker`). */
  approve?: ApprovalHook
  /** Proxy-mode bearer tokens (see `createCredentialBroker`). */
  tokenExchange?: FetchMiddleware
  /** Fetch for proxied requests. */
  fetch?: FetchLike
  /** Receives internal failures (audit, signer, upstream). */
  onError?: (error: unknown) => void
}

/**
 * A running broker.
 *
 * @example
 * ```ts
 * import { startBroker, type RunningBroker } from 'agentauth/broker/node'
 * const running: RunningBroker = await startBroker({ config: 'broker.json' })
 * console.log(running.socketPath ?? running.url)
 * await running.close()
 * ```
 */
export interface RunningBroker {
  /**
   * The endpoint for `remoteCredentials` / `createProxyFetch`: `http://127.0.0.1:<port>`, or
   * `http://localhost` for a Unix socket (pass a fetch bound to `socketPath`).
   */
  readonly url: string
  /** The Unix socket path, when listening on one. */
  readonly socketPath: string | undefined
  /**
   * Stops accepting connections and requests (a request arriving afterwards on a kept-alive
   * connection is not served: its connection is closed), waits for open requests, ends their
   * connections and closes the audit file.
   */
  close(): Promise<void>
}

/** True when a process accepts connections on the Unix socket at `path` (a stale one refuses them). */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ path })
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    probe.once('error', () => resolve(false))
  })
}

/** Removes a stale socket file; a socket another process (a running broker) serves is left alone. */
async function removeStaleSocket(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined)
  if (info === undefined) return
  if (!info.isSocket()) throw codedTypeError('ERR_INVALID_ARG_VALUE', `broker config: ${path} exists and is not a socket`)
  if (await socketInUse(path)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `broker config: ${path} is in use by another process (a running broker?)`)
  await unlink(path)
}

/**
 * Binds the Unix socket under the umask that gives it exactly `mode`, so it never exists with the
 * process umask's (wider) mode and its mode is never set by path afterwards: a `chmod` by path
 * follows a symlink planted in the socket's place between `listen()` and the call, and would widen
 * the file it points to. Node creates the socket file synchronously inside `listen()`, so the
 * process-wide umask is changed for that call only and always restored.
 */
function listenOnSocket(server: Server, path: string, mode: number, done: () => void): void {
  const previous = process.umask(0o777 & ~mode)
  try {
    server.listen({ path, readableAll: false, writableAll: false }, done)
  } finally {
    process.umask(previous)
  }
}

function listen(server: Server, target: { socket: string; mode: number } | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    const done = (): void => {
      server.off('error', reject)
      resolve()
    }
    if ('socket' in target) listenOnSocket(server, target.socket, target.mode, done)
    else server.listen(target.port, target.host, done)
  })
}

/**
 * Starts a credential broker process-side: loads the config (JSON file or object), imports the
 * agent's private JWK as a non-extractable key, sets up the WIT source (file, command or URL,
 * renewed before expiry), the capability token (environment variable or 0600 file) and the
 * append-only audit file, and serves `createCredentialBroker` on a Unix domain socket (mode 0600,
 * or 0660 when configured; created with that mode under a matching umask, never changed by path
 * afterwards; a stale socket file is replaced, one another process listens on is refused) or on a
 * loopback TCP port. Only loopback hosts are
 * accepted.
 *
 * Checks at start-up that the WIT can be obtained and that its `cnf.jwk.alg` matches the key.
 *
 * @param options - see {@link StartBrokerOptions}.
 * @returns the {@link RunningBroker}.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for a bad config (messages start with `broker config:`),
 *   including key or token files readable by group or others or owned by another user than the
 *   broker's (or root), a config file writable by group or
 *   others or owned by another user than the broker's (or root), an existing audit file of that kind
 *   (or a symbolic link), an audit file that cannot be created (a missing one is created empty),
 *   unknown config members, a socket path another process listens on, and settings
 *   `createCredentialBroker` refuses; the WIT source's error when no WIT
 *   can be obtained; the listen error (`EADDRINUSE` …).
 *
 * @example
 * ```ts
 * import { startBroker } from 'agentauth/broker/node'
 *
 * const broker = await startBroker({ config: '/etc/agentauth/broker.json' })
 * process.on('SIGTERM', () => void broker.close())
 * ```
 */
export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  const loaded = await loadBrokerConfig(options.config, options.env ?? process.env, options.baseDir)
  const { config } = loaded
  const first = await loaded.wit.getWIT()
  const proofAlg = peekWITProofAlgorithm(first.token)
  if (proofAlg !== undefined && proofAlg !== loaded.signer.alg) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `broker config: the WIT is bound to an ${proofAlg} key but the signer is ${loaded.signer.alg}`)
  }
  try {
    await checkAuditFile(loaded.auditFile)
  } catch (err) {
    throw configError(err)
  }
  const audit = createFileAuditSink({ path: loaded.auditFile, fsync: loaded.fsync })
  let handler: (request: Request) => Promise<Response>
  try {
    handler = createCredentialBroker({
      signer: loaded.signer,
      wit: loaded.wit,
      proof: config.proof,
      policy: config.policy,
      audit,
      capabilityTokens: loaded.capabilityToken,
      ...(config.signResponse !== undefined ? { signResponse: config.signResponse } : {}),
      ...(config.lifetime !== undefined ? { lifetime: config.lifetime } : {}),
      ...(config.approvalTimeout !== undefined ? { approvalTimeout: config.approvalTimeout } : {}),
      ...(config.redirects !== undefined ? { redirects: config.redirects } : {}),
      ...(options.approve ? { approve: options.approve } : {}),
      ...(options.tokenExchange ? { tokenExchange: options.tokenExchange } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    })
  } catch (err) {
    throw configError(err)
  }
  // A request Fetch cannot represent never reaches the handler; it is still a decision, audited.
  const reportError = options.onError
  const unusable = async (): Promise<Response> => {
    const record = auditRecord(randomUUID(), Date.now(), { decision: 'deny', reason: 'invalid_request', mode: 'unknown', status: 400 })
    await writeAudit(audit, record, (err) => {
      try {
        reportError?.(err)
      } catch {
        // A failing error reporter must not change the answer.
      }
    })
    return refusal('invalid_request')
  }
  // After close() no request is served, not even one arriving on a keep-alive connection that was
  // busy when close() was called (server.close() only stops new connections and ends idle ones):
  // it would be issued credentials after the operator stopped the broker. Answers still in flight
  // end their connection, so close() does not wait for the clients' keep-alive timeout.
  const listener = nodeListener(handler, unusable)
  const open = new Set<ServerResponse>()
  let stopping = false
  const server = createServer((req, res) => {
    if (stopping) {
      req.socket.destroy()
      return
    }
    open.add(res)
    res.once('close', () => open.delete(res))
    listener(req, res)
  })
  let socketPath: string | undefined
  let url: string
  if ('socket' in loaded.listen) {
    socketPath = loaded.listen.socket
    await removeStaleSocket(socketPath)
    await listen(server, loaded.listen)
    url = 'http://localhost'
  } else {
    await listen(server, loaded.listen)
    const address = server.address() as AddressInfo
    url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  }
  let closing: Promise<void> | undefined
  return Object.freeze({
    url,
    socketPath,
    close(): Promise<void> {
      closing ??= (async () => {
        stopping = true
        for (const res of open) {
          if (!res.headersSent) res.setHeader('connection', 'close')
          else res.once('finish', () => res.socket?.destroySoon())
        }
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeIdleConnections()
        })
        await audit.close()
      })()
      return closing
    },
  })
}
