// The CLI commands. Each returns the text to print; errors are thrown as CLIError or typed
// agentauth errors and printed as one line by main.ts.
import { writeFileSync } from 'node:fs'
import { verifyAccessToken } from '../access-token/index.js'
import { staticTrustBundles } from '../bundle/index.js'
import { isPlainObject } from '../internal/json.js'
import { parseCompactJWS } from '../internal/jws.js'
import { createJWKSigner, generateSigner, isJWSAlgorithm, type PublicJWK } from '../signer/index.js'
import { verifySET } from '../ssf/index.js'
import { createWIT, verifyWIT } from '../wit/index.js'
import { CLIError, readInput, readJSON, time } from './io.js'
import { chainTree, inspect } from './inspect.js'

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
  const n = Number(at)
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
    writeFileSync(out, JSON.stringify(privateJwk, null, 2) + '\n', { mode: 0o600 })
    writeFileSync(`${out.replace(/\.json$/, '')}.pub.json`, JSON.stringify(publicJwk, null, 2) + '\n')
    return `wrote private key to ${out} (mode 0600) and public key to ${out.replace(/\.json$/, '')}.pub.json\n${JSON.stringify(publicJwk, null, 2)}`
  }
  return JSON.stringify({ private: privateJwk, public: publicJwk }, null, 2)
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

function bundleFrom(flags: Flags, trustDomainHint: string | undefined) {
  const data = readJSON(str(flags, 'bundle', true), 'trust bundle')
  if (isPlainObject(data) && Array.isArray(data.keys)) {
    const td = str(flags, 'trust-domain') ?? trustDomainHint
    if (td === undefined) throw new CLIError('--trust-domain is required with a plain JWKS bundle')
    return staticTrustBundles({ [td]: data.keys as PublicJWK[] })
  }
  if (!isPlainObject(data)) throw new CLIError('--bundle must hold a JWKS or { "<trust domain>": JWKS }')
  return staticTrustBundles(Object.fromEntries(Object.entries(data).map(([td, v]) => [td, isPlainObject(v) && Array.isArray(v.keys) ? (v.keys as PublicJWK[]) : (v as PublicJWK[])])))
}

export async function verify(flags: Flags, positional: string[]): Promise<string> {
  const token = readInput(positional[0], 'token (argument, @file or - for stdin)')
  const parsed = parseCompactJWS(token, { maxBytes: 64 * 1024, code: 'ERR_JWS_INVALID', what: 'token' })
  const typ = String(parsed.header.typ ?? '').toLowerCase().replace(/^application\//, '')
  const kind = str(flags, 'kind') ?? (typ === 'wit+jwt' || typ === 'wimse-id+jwt' ? 'wit' : typ === 'at+jwt' ? 'at' : typ === 'secevent+jwt' ? 'set' : undefined)
  const clock = clockFrom(flags)
  const common = clock ? { clock } : {}
  switch (kind) {
    case 'wit': {
      const sub = typeof parsed.payload.sub === 'string' ? parsed.payload.sub : ''
      const hint = /^[a-z][a-z0-9+.-]*:\/\/([^/]+)/.exec(sub)?.[1]
      const profile = str(flags, 'profile')
      const wit = await verifyWIT(token, { trustBundles: bundleFrom(flags, hint), ...common, ...(profile === 'spiffe' ? { profile: 'spiffe' as const } : {}) })
      return `VALID WIT\n  workload: ${wit.id}\n  trust domain: ${wit.trustDomain}\n  proof algorithm: ${wit.proofAlgorithm}\n  expires: ${time(wit.claims.exp)}`
    }
    case 'at': {
      const at = await verifyAccessToken(token, { issuer: str(flags, 'issuer', true), audience: str(flags, 'audience', true), keys: readJSON(str(flags, 'keys', true), 'keys') as never, ...common })
      const tree = chainTree(at.claims as Record<string, unknown>)
      return [`VALID access token`, `  subject: ${at.subject}`, `  client: ${at.clientId}`, `  scopes: ${at.scopes.join(' ') || '(none)'}`, `  expires: ${time(at.expiresAt)}`, ...(tree.length ? ['  delegation chain:', ...tree.map((l) => `  ${l}`)] : [])].join('\n')
    }
    case 'set': {
      const set = await verifySET(token, { issuer: str(flags, 'issuer', true), audience: str(flags, 'audience', true), keys: readJSON(str(flags, 'keys', true), 'keys') as never, ...common })
      return `VALID SET\n  issuer: ${set.iss}\n  jti: ${set.jti}\n  events: ${set.events.map((e) => e.uri).join(', ')}`
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
