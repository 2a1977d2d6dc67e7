// The CLI commands. Each returns the text to print; errors are thrown as CLIError or typed
// agentauth errors and printed as one line by main.ts.
import { closeSync, lstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import { verifyAccessToken } from '../access-token/index.js'
import { staticTrustBundles } from '../bundle/index.js'
import { isPlainObject } from '../internal/json.js'
import { parseCompactJWS } from '../internal/jws.js'
import { createJWKSigner, generateSigner, isJWSAlgorithm, type PublicJWK } from '../signer/index.js'
import { verifySET } from '../ssf/index.js'
import { createWIT, verifyWIT } from '../wit/index.js'
import { CLIError, readInput, readJSON, time } from './io.js'
import { chainTree, inspect, keysOf } from './inspect.js'
import { printLines } from './output.js'

export type Flags = Record<string, string | boolean | undefined>

function str(flags: Flags, name: string, required: true): string
function str(flags: Flags, name: string, required?: false): string | undefined
function str(flags: Flags, name: string, required = false): string | undefined {
  const v = flags[name]
  if (v === undefined || v === false) {
    if (required) throw new CLIError(`--${name} is required`)
    return undefined
  }
  if (v === true) throw new CLIError(`--${name} needs a value`)
  return v
}

function int(flags: Flags, name: string, fallback: number): number {
  const v = str(flags, name)
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n <= 0) throw new CLIError(`--${name} must be a positive integer`)
  return n
}

function clockFrom(flags: Flags): (() => number) | undefined {
  const at = str(flags, 'at')
  if (at === undefined) return undefined
  // Decimal digits only: Number('') and Number(' ') are 0, so an empty `--at "$UNSET"` verified as
  // of 1970 (and '0x…', '1e3' are not how anyone writes a NumericDate).
  const n = /^-?\d+(\.\d+)?$/.test(at) ? Number(at) : Number.NaN
  if (!Number.isFinite(n)) throw new CLIError('--at must be epoch seconds')
  return () => n * 1000
}

export async function keygen(flags: Flags): Promise<string> {
  const alg = str(flags, 'alg') ?? 'ES256'
  if (!isJWSAlgorithm(alg)) throw new CLIError(`unsupported --alg ${alg}`)
  const kid = str(flags, 'kid')
  const signer = await generateSigner(alg, { extractable: true, ...(kid ? { kid } : {}) })
  const privateJwk = await signer.exportPrivateJwk()
  const publicJwk = await signer.publicJwk()
  const out = str(flags, 'out')
  if (out !== undefined) {
    const pub = `${out.replace(/\.json$/, '')}.pub.json`
    // Re-running keygen must not destroy a key pair (an issuer's private key cannot be recovered):
    // both targets are checked before anything is written, and only --force replaces them.
    if (flags.force !== true) {
      for (const path of [out, pub]) if (exists(path)) throw new CLIError(`${path} already exists (pass --force to replace it)`)
    }
    writeNew(out, JSON.stringify(privateJwk, null, 2) + '\n', 0o600, 'private')
    writeNew(pub, JSON.stringify(publicJwk, null, 2) + '\n', 0o644, 'public')
    return `wrote private key to ${out} (mode 0600) and public key to ${pub}\n${JSON.stringify(publicJwk, null, 2)}`
  }
  return JSON.stringify({ private: privateJwk, public: publicJwk }, null, 2)
}

/** Whether anything (a file, a directory, a symlink even dangling) is at `path`. */
function exists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new CLIError(`cannot check ${path}: ${(err as Error).message}`)
  }
}

// Each key is written to a new file (O_EXCL, with its mode) and then renamed over the target:
// writing into an existing file would keep that file's (possibly world-readable) mode, and would
// follow a symlink planted at the target (in a shared directory, overwriting the link's target).
function writeNew(path: string, text: string, mode: number, which: 'private' | 'public'): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  let fd: number
  try {
    fd = openSync(tmp, 'wx', mode)
  } catch (err) {
    throw new CLIError(`cannot write the ${which} key next to ${path}: ${(err as Error).message}`)
  }
  try {
    writeSync(fd, text)
    closeSync(fd)
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw new CLIError(`cannot write the ${which} key to ${path}: ${(err as Error).message}`)
  }
}

export async function witMint(flags: Flags): Promise<string> {
  const issuerJwk = readJSON(str(flags, 'issuer-key', true), 'issuer key')
  if (!isPlainObject(issuerJwk)) throw new CLIError('--issuer-key must hold a private JWK')
  const issuer = await createJWKSigner({ privateJwk: issuerJwk as never, ...(str(flags, 'kid') ? { kid: str(flags, 'kid')! } : {}) })
  const keyJson = readJSON(str(flags, 'key', true), 'workload key')
  if (!isPlainObject(keyJson)) throw new CLIError('--key must hold a JWK')
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = keyJson
  return createWIT(
    { sub: str(flags, 'sub', true), cnf: { jwk: publicJwk as PublicJWK }, ...(str(flags, 'iss') ? { iss: str(flags, 'iss')! } : {}) },
    { signer: issuer, lifetime: int(flags, 'lifetime', 3600) },
  )
}

function bundleFrom(flags: Flags) {
  const data = readJSON(str(flags, 'bundle', true), 'trust bundle')
  if (isPlainObject(data) && Array.isArray(data.keys)) {
    // The trust domain of a plain JWKS is the operator's to say, never the token's: taken from the
    // token's own sub, any key in the file would be trusted for whatever domain the token names.
    const td = str(flags, 'trust-domain')
    if (td === undefined) throw new CLIError('--trust-domain is required with a plain JWKS bundle')
    return staticTrustBundles({ [td]: data.keys as PublicJWK[] })
  }
  if (!isPlainObject(data)) throw new CLIError('--bundle must hold a JWKS or { "<trust domain>": JWKS }')
  return staticTrustBundles(Object.fromEntries(Object.entries(data).map(([td, v]) => [td, isPlainObject(v) && Array.isArray(v.keys) ? (v.keys as PublicJWK[]) : (v as PublicJWK[])])))
}

// The --keys file of `verify at|set`, checked here like inspect's: a null entry in a key list
// ended in the library's uncoded "Cannot read properties of null" instead of a usage error.
function keysFrom(flags: Flags): { keys: PublicJWK[] } {
  return { keys: keysOf(readJSON(str(flags, 'keys', true), 'keys')) }
}

export async function verify(flags: Flags, positional: string[]): Promise<string> {
  const token = readInput(positional[0], 'token (argument, @file or - for stdin)')
  const parsed = parseCompactJWS(token, { maxBytes: 64 * 1024, code: 'ERR_JWS_INVALID', what: 'token' })
  const typ = String(parsed.header.typ ?? '').toLowerCase().replace(/^application\//, '')
  const kindFlag = str(flags, 'kind')
  if (kindFlag !== undefined && kindFlag !== 'wit' && kindFlag !== 'at' && kindFlag !== 'set') throw new CLIError(`unknown --kind ${kindFlag} (wit, at or set)`)
  const kind = kindFlag ?? (typ === 'wit+jwt' || typ === 'wimse-id+jwt' ? 'wit' : typ === 'at+jwt' ? 'at' : typ === 'secevent+jwt' ? 'set' : undefined)
  const clock = clockFrom(flags)
  const common = clock ? { clock } : {}
  switch (kind) {
    case 'wit': {
      const profile = str(flags, 'profile')
      if (profile !== undefined && profile !== 'spiffe') throw new CLIError(`unknown --profile ${profile} (the only profile is spiffe)`)
      const wit = await verifyWIT(token, { trustBundles: bundleFrom(flags), ...common, ...(profile === 'spiffe' ? { profile: 'spiffe' as const } : {}) })
      return printLines(['VALID WIT', `  workload: ${wit.id}`, `  trust domain: ${wit.trustDomain}`, `  proof algorithm: ${wit.proofAlgorithm}`, `  expires: ${time(wit.claims.exp)}`])
    }
    case 'at': {
      const at = await verifyAccessToken(token, { issuer: str(flags, 'issuer', true), audience: str(flags, 'audience', true), keys: keysFrom(flags), ...common })
      const tree = chainTree(at.claims as Record<string, unknown>)
      return printLines([`VALID access token`, `  subject: ${at.subject}`, `  client: ${at.clientId}`, `  scopes: ${at.scopes.join(' ') || '(none)'}`, `  expires: ${time(at.expiresAt)}`, ...(tree.length ? ['  delegation chain:', ...tree.map((l) => `  ${l}`)] : [])])
    }
    case 'set': {
      const set = await verifySET(token, { issuer: str(flags, 'issuer', true), audience: str(flags, 'audience', true), keys: keysFrom(flags), ...common })
      return printLines(['VALID SET', `  issuer: ${set.iss}`, `  jti: ${set.jti}`, `  events: ${set.events.map((e) => e.uri).join(', ')}`])
    }
    default:
      throw new CLIError('cannot tell what to verify: pass --kind wit|at|set')
  }
}

export async function inspectCommand(flags: Flags, positional: string[]): Promise<string> {
  const input = readInput(positional[0], 'token or Signature-Input value (argument, @file or - for stdin)')
  const keysPath = str(flags, 'keys')
  return inspect(input, keysPath === undefined ? {} : { keys: readJSON(keysPath, 'keys') })
}
