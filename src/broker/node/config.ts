// The JSON config of a broker process, validated and turned into createCredentialBroker options.
// Secrets (key file, capability token file) must not be readable by group or others.
import { execFile } from 'node:child_process'
import type { Stats } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { codedTypeError } from '../../errors/index.js'
import type { RedirectPolicy } from '../../fetch/redirects.js'
import { isPlainObject } from '../../internal/json.js'
import { createJWKSigner, isJWSAlgorithm, type JWSAlgorithm, type Signer } from '../../signer/index.js'
import { refreshingWITSource } from '../../wit/index.js'
import type { WITSource } from '../../wit/types.js'
import type { BrokerPolicy } from '../types.js'
import { checkDirectories, checkExecutable } from './directories.js'

/**
 * The broker config file (JSON). Relative paths are resolved against the file's directory.
 *
 * @example
 * ```ts
 * import type { BrokerConfig } from 'agentauth/broker/node'
 * const config: BrokerConfig = {
 *   signer: { jwkFile: './agent.key.json' },
 *   wit: { file: './agent.wit' },
 *   listen: { socket: '/run/agentauth/broker.sock' },
 *   capabilityToken: { env: 'AGENTAUTH_CAPABILITY' },
 *   proof: 'httpsig',
 *   policy: { destinations: { 'https://api.example.com': { paths: ['/v1/'], methods: ['GET', 'POST'] } } },
 *   audit: { file: './audit.jsonl', fsync: true },
 * }
 * ```
 */
export interface BrokerConfig {
  /** The agent's private key as a JWK file (mode 0600); imported non-extractable. */
  signer: { jwkFile: string; alg?: JWSAlgorithm }
  /**
   * Where the agent's WIT comes from: a file (re-read before it expires, so rotating it in place
   * works), a command printing it on stdout (argv array, no shell; it runs with the broker's
   * environment minus the capability token), or a URL answering it as text.
   */
  wit: ({ file: string } | { command: readonly string[] } | { url: string }) & { refreshBefore?: number }
  /**
   * A Unix domain socket path, or a loopback TCP port (0 = any free port). The socket is created
   * with mode `"0600"` (owner only) or, to let an agent running as another user in the socket's
   * group connect, `"0660"`.
   */
  listen: { socket: string; mode?: '0600' | '0660' } | { port?: number; host?: '127.0.0.1' | '::1' | 'localhost' }
  /** The capability token the agent presents: an environment variable or a file (mode 0600). */
  capabilityToken: { env: string } | { file: string }
  proof: 'wpt' | 'httpsig'
  signResponse?: boolean
  lifetime?: number
  approvalTimeout?: number
  redirects?: RedirectPolicy
  policy: BrokerPolicy
  /** Append-only JSON-lines audit file. */
  audit: { file: string; fsync?: boolean }
}

export interface LoadedConfig {
  readonly signer: Signer
  readonly wit: WITSource
  readonly listen: { readonly socket: string; readonly mode: number } | { readonly port: number; readonly host: string }
  readonly capabilityToken: string
  readonly auditFile: string
  readonly fsync: boolean
  readonly config: BrokerConfig
}

function bad(message: string): never {
  throw codedTypeError('ERR_INVALID_ARG_VALUE', `broker config: ${message}`)
}

function object(value: unknown, name: string): Record<string, unknown> {
  if (!isPlainObject(value)) bad(`${name} must be an object`)
  return value
}

/**
 * Refuses members the config does not define, and more than one of members that exclude each
 * other: a misspelt key (`"redirect"`, `"ratelimit"`) or a second listen address would otherwise
 * be ignored without a word, and the broker would run without the setting its operator wrote.
 */
function known(value: Record<string, unknown>, keys: readonly string[], name: string, oneOf: readonly string[] = []): void {
  for (const key of Object.keys(value)) if (!keys.includes(key)) bad(`${name} has an unknown member "${key}" (known: ${keys.join(', ')})`)
  const given = oneOf.filter((key) => value[key] !== undefined)
  if (given.length > 1) bad(`${name} takes one of ${oneOf.join(', ')}, not ${given.join(' and ')}`)
}

/**
 * A setting `createCredentialBroker` refused, named as in the config file (`proof`, `policy…`,
 * `capabilityToken`) and prefixed `broker config:` like every other configuration error.
 */
export function configError(err: unknown, section = ''): unknown {
  if (!(err instanceof TypeError) || err.message.startsWith('broker config:')) return err
  const code = (err as { code?: unknown }).code
  if (code !== 'ERR_INVALID_ARG_VALUE' && code !== 'ERR_INVALID_ARG_TYPE') return err
  const message = err.message.replace(/options\.capabilityTokens\[\d+\]/g, 'capabilityToken').replace(/\boptions\./g, section)
  return codedTypeError(code, `broker config: ${message}`, err)
}

const CONFIG_KEYS = ['signer', 'wit', 'listen', 'capabilityToken', 'proof', 'signResponse', 'lifetime', 'approvalTimeout', 'redirects', 'policy', 'audit']

function path(value: unknown, name: string, base: string): string {
  if (typeof value !== 'string' || value.length === 0) bad(`${name} must be a path`)
  return isAbsolute(value) ? value : resolve(base, value)
}

/**
 * Opens `file` once, runs `check` on that open file's status and reads it through the same handle:
 * a check by path then a read by path would let whoever can write the directory swap the file in
 * between (a symlink is still followed, as secret mounts use them).
 */
async function readCheckedFile(file: string, check: (info: Stats) => void): Promise<string> {
  const handle = await open(file, 'r')
  try {
    check(await handle.stat())
    return await handle.readFile('utf8')
  } finally {
    await handle.close().catch(() => undefined)
  }
}

async function readSecretFile(file: string, name: string): Promise<string> {
  try {
    await checkDirectories(file, name)
  } catch (err) {
    throw configError(err)
  }
  return readCheckedFile(file, (info) => {
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) bad(`${name} ${file} must not be readable by group or others (chmod 600)`)
    // Its owner can read it whatever its mode: a key file the agent's user owns is a key the agent holds.
    const uid = process.platform === 'win32' ? undefined : process.getuid?.()
    if (uid !== undefined && info.uid !== uid && info.uid !== 0) bad(`${name} ${file} must be owned by the broker's user or root`)
  }).catch((cause: unknown) => {
    if (cause instanceof TypeError && (cause as { code?: unknown }).code === 'ERR_INVALID_ARG_VALUE') throw cause
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `broker config: ${name} ${file} cannot be read`, cause)
  })
}

/**
 * The environment for the WIT command: this process's, without the capability token — neither the
 * configured variable nor any other variable holding the same value. The command needs no token,
 * and whatever it runs must not be able to talk to the broker as the agent.
 */
function commandEnv(tokenVariable: string | undefined, token: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name !== tokenVariable && value !== token) env[name] = value
  }
  return env
}

function witSource(spec: Record<string, unknown>, base: string, env: NodeJS.ProcessEnv): WITSource {
  known(spec, ['file', 'command', 'url', 'refreshBefore'], 'wit', ['file', 'command', 'url'])
  const refreshBefore = spec.refreshBefore
  if (refreshBefore !== undefined && typeof refreshBefore !== 'number') bad('wit.refreshBefore must be a number of seconds')
  const options = refreshBefore === undefined ? {} : { refreshBefore }
  if (spec.file !== undefined) {
    const file = path(spec.file, 'wit.file', base)
    return refreshingWITSource(async () => (await readFile(file, 'utf8')).trim(), options)
  }
  if (spec.command !== undefined) {
    const argv = spec.command
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) bad('wit.command must be a non-empty array of strings')
    const [cmd, ...args] = argv as string[]
    return refreshingWITSource(
      ({ signal }) =>
        new Promise<string>((ok, fail) => {
          execFile(cmd!, args, { signal, maxBuffer: 64 * 1024, cwd: base, env }, (err, stdout) => (err ? fail(err) : ok(String(stdout).trim())))
        }),
      options,
    )
  }
  if (spec.url !== undefined) {
    if (typeof spec.url !== 'string' || !URL.canParse(spec.url)) bad('wit.url must be an absolute URL')
    const url = new URL(spec.url)
    return refreshingWITSource(async ({ signal }) => {
      const res = await fetch(url, { signal, redirect: 'error' })
      if (!res.ok) throw new Error(`the WIT endpoint answered ${res.status}`)
      return (await res.text()).trim()
    }, options)
  }
  return bad('wit needs one of file, command or url')
}

/** {@link witSource} with the WIT source's own option errors named as config errors. */
function witSourceOf(spec: Record<string, unknown>, base: string, env: NodeJS.ProcessEnv): WITSource {
  try {
    return witSource(spec, base, env)
  } catch (err) {
    throw configError(err, 'wit.')
  }
}

/** Reads and validates a config (object or JSON file) and loads the key, WIT source and token. */
export async function loadBrokerConfig(input: string | BrokerConfig, env: Readonly<Record<string, string | undefined>>, baseDir?: string): Promise<LoadedConfig> {
  let raw: unknown = input
  let base = baseDir ?? process.cwd()
  if (typeof input === 'string') {
    const file = resolve(input)
    base = baseDir ?? dirname(file)
    let text: string
    try {
      await checkDirectories(file, 'the config file')
    } catch (err) {
      throw configError(err)
    }
    try {
      // The file holds the policy and the WIT command the broker runs: whoever may write it holds
      // the broker's authority. The recommended set-up puts the agent's user in the socket's group,
      // so a file its group may write, or one another user owns (the owner may chmod it), is refused.
      text = await readCheckedFile(file, (info) => {
        if (process.platform === 'win32') return
        if ((info.mode & 0o022) !== 0) bad(`${file} must not be writable by group or others (chmod go-w)`)
        const uid = process.getuid?.()
        if (uid !== undefined && info.uid !== uid && info.uid !== 0) bad(`${file} must be owned by the broker's user or root`)
      })
    } catch (cause) {
      if (cause instanceof TypeError) throw cause
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `broker config: ${file} is not readable JSON`, cause)
    }
    try {
      raw = JSON.parse(text)
    } catch (cause) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `broker config: ${file} is not readable JSON`, cause)
    }
  }
  const config = object(raw, 'the config') as unknown as BrokerConfig
  known(config as unknown as Record<string, unknown>, CONFIG_KEYS, 'the config')
  const signerSpec = object(config.signer, 'signer')
  known(signerSpec, ['jwkFile', 'alg'], 'signer')
  if (signerSpec.alg !== undefined && !isJWSAlgorithm(signerSpec.alg)) bad('signer.alg is not a supported JWS algorithm')
  let jwk: unknown
  try {
    jwk = JSON.parse(await readSecretFile(path(signerSpec.jwkFile, 'signer.jwkFile', base), 'signer.jwkFile'))
  } catch (cause) {
    if (cause instanceof TypeError) throw cause
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'broker config: signer.jwkFile is not a JSON JWK', cause)
  }
  let signer: Signer
  try {
    signer = await createJWKSigner({ privateJwk: object(jwk, 'signer.jwkFile') as JsonWebKey, ...(signerSpec.alg !== undefined ? { alg: signerSpec.alg as JWSAlgorithm } : {}) })
  } catch (err) {
    // The signer names its own options (options.privateJwk, options.alg): name the config's.
    const code = (err as { code?: unknown }).code
    if (err instanceof TypeError && (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE')) {
      throw codedTypeError(code, `broker config: ${err.message.replace(/\boptions\.privateJwk\b/g, 'signer.jwkFile').replace(/\boptions\./g, 'signer.')}`, err)
    }
    throw err
  }

  const listenSpec = object(config.listen, 'listen')
  known(listenSpec, listenSpec.socket !== undefined ? ['socket', 'mode'] : ['port', 'host'], 'listen')
  let listen: LoadedConfig['listen']
  if (listenSpec.socket !== undefined) {
    const mode = listenSpec.mode ?? '0600'
    if (mode !== '0600' && mode !== '0660') bad('listen.mode must be "0600" or "0660"')
    listen = { socket: path(listenSpec.socket, 'listen.socket', base), mode: mode === '0600' ? 0o600 : 0o660 }
  } else {
    const port = listenSpec.port ?? 0
    const host = listenSpec.host ?? '127.0.0.1'
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) bad('listen.port must be a port number')
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') bad('listen.host must be a loopback address (127.0.0.1, ::1, localhost)')
    listen = { port, host }
  }

  const tokenSpec = object(config.capabilityToken, 'capabilityToken')
  known(tokenSpec, ['env', 'file'], 'capabilityToken', ['env', 'file'])
  let capabilityToken: string | undefined
  if (tokenSpec.env !== undefined) {
    if (typeof tokenSpec.env !== 'string') bad('capabilityToken.env must be a variable name')
    capabilityToken = env[tokenSpec.env]
    if (capabilityToken === undefined) bad(`the environment variable ${tokenSpec.env} is not set`)
  } else if (tokenSpec.file !== undefined) {
    capabilityToken = (await readSecretFile(path(tokenSpec.file, 'capabilityToken.file', base), 'capabilityToken.file')).trim()
  } else {
    bad('capabilityToken needs env or file')
  }

  const witSpec = object(config.wit, 'wit')
  const witEnv = commandEnv(typeof tokenSpec.env === 'string' ? tokenSpec.env : undefined, capabilityToken)
  const wit = witSourceOf(witSpec, base, witEnv)
  if (Array.isArray(witSpec.command) && typeof witSpec.command[0] === 'string') {
    try {
      await checkExecutable(witSpec.command[0], base, witEnv.PATH)
    } catch (err) {
      throw configError(err)
    }
  }

  const auditSpec = object(config.audit, 'audit')
  known(auditSpec, ['file', 'fsync'], 'audit')
  if (auditSpec.fsync !== undefined && typeof auditSpec.fsync !== 'boolean') bad('audit.fsync must be a boolean')
  return {
    signer,
    wit,
    listen,
    capabilityToken,
    auditFile: path(auditSpec.file, 'audit.file', base),
    fsync: auditSpec.fsync === true,
    config,
  }
}
