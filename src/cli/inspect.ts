// `agentauth inspect`: decodes a WIT, WPT, JWT access token, Txn-Token, SET, ID-JAG, any JWT, or a
// Signature-Input header into a readable view. Nothing is verified unless keys are given; the view
// says UNVERIFIED in that case.
import { delegationChain, type Actor } from '../access-token/index.js'
import { parseSignatureInput } from '../httpsig/index.js'
import { checkAlg, parseCompactJWS, verifyJWSSignature } from '../internal/jws.js'
import { importPublicJWK } from '../internal/keys.js'
import { isPlainObject } from '../internal/json.js'
import { ALGORITHMS, type JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'
import { CLIError, time } from './io.js'
import { printLines } from './output.js'

const KINDS: Record<string, string> = {
  'wit+jwt': 'Workload Identity Token (WIT)',
  'wimse-id+jwt': 'Workload Identity Token (WIT, legacy typ)',
  'wpt+jwt': 'Workload Proof Token (WPT)',
  'wimse-proof+jwt': 'Workload Proof Token (WPT, legacy typ)',
  'at+jwt': 'OAuth JWT access token (RFC 9068)',
  'txntoken+jwt': 'Transaction Token',
  'secevent+jwt': 'Security Event Token (SET)',
  'oauth-id-jag+jwt': 'Identity Assertion JWT Authorization Grant (ID-JAG)',
  'dpop+jwt': 'DPoP proof',
}

const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time', 'toe'])

function kindOf(typ: unknown): string {
  if (typeof typ !== 'string') return 'JWT (no typ)'
  // Media types are case-insensitive in ASCII only (as the verifiers' typMatches): toLowerCase
  // alone turns U+212A KELVIN SIGN into k, and `txntoKen+jwt` was named a Transaction Token.
  if (!/^[\x20-\x7e]*$/.test(typ)) return `JWT (typ ${typ})`
  const t = typ.toLowerCase().replace(/^application\//, '')
  return Object.hasOwn(KINDS, t) ? KINDS[t]! : `JWT (typ ${typ})`
}

export function chainTree(claims: Record<string, unknown>): string[] {
  let chain: readonly Actor[]
  try {
    chain = delegationChain(claims)
  } catch (err) {
    return [`  (malformed act claim: ${(err as Error).message})`]
  }
  if (chain.length === 0) return []
  const lines = [`  ${String(claims.sub)}  (subject: the party whose authority is used)`]
  // delegationChain lists the current actor first; print from the first delegate to the current one.
  const ordered = [...chain].reverse()
  ordered.forEach((a, i) => {
    const pad = '  ' + '   '.repeat(i)
    const note = i === ordered.length - 1 ? '  (current actor)' : ''
    lines.push(`${pad}└─ acted on by ${a.sub}${a.clientId ? ` [client ${a.clientId}]` : ''}${note}`)
  })
  return lines
}

/** Objects nested deeper than this are shown as JSON on one line (a token may nest thousands deep). */
const MAX_DEPTH = 16
/** Longest value shown; the rest is cut (a 64 KB token would otherwise print a 64 KB line). */
const MAX_VALUE_CHARS = 2000

function shown(v: unknown): string {
  let text: string
  try {
    text = JSON.stringify(v) ?? String(v)
  } catch {
    return '(nested too deeply to show)' // JSON.stringify's recursion limit
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)` : text
}

function render(value: unknown, indent: string, depth = 0): string[] {
  if (!isPlainObject(value)) return [`${indent}${shown(value)}`]
  const out: string[] = []
  for (const [k, v] of Object.entries(value)) {
    const name = shown(k).slice(1, -1) // the name as a JSON string body: quotes and escapes visible
    if (TIME_CLAIMS.has(k) && typeof v === 'number') out.push(`${indent}${name}: ${time(v)}`)
    else if (isPlainObject(v) && depth < MAX_DEPTH) out.push(`${indent}${name}:`, ...render(v, `${indent}  `, depth + 1))
    else out.push(`${indent}${name}: ${shown(v)}`)
  }
  return out
}

// Whether a JWK can verify `alg` (the rules of bundle/select.ts: kty, crv, alg member, use, key_ops).
function fits(key: PublicJWK, alg: JWSAlgorithm): boolean {
  const info = ALGORITHMS[alg]
  const k = key as unknown as Record<string, unknown>
  if (k.kty !== info.kty || (info.crv !== undefined && k.crv !== info.crv)) return false
  const isEdDSA = (a: unknown): boolean => a === 'EdDSA' || a === 'Ed25519'
  if (k.alg !== undefined && k.alg !== alg && !(isEdDSA(k.alg) && isEdDSA(alg))) return false
  if (k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.includes('verify'))) return false
  return k.use === undefined || k.use === 'sig' || k.use === 'jwt-svid' || k.use === 'wit-svid'
}

/** The keys of a --keys file (a JWKS, a list of JWKs or one JWK), every entry a JSON object. */
export function keysOf(jwks: unknown): PublicJWK[] {
  const list: unknown = isPlainObject(jwks) && Array.isArray(jwks.keys) ? jwks.keys
    : Array.isArray(jwks) ? jwks
      : isPlainObject(jwks) && typeof jwks.kty === 'string' ? [jwks] : undefined
  // Every entry must be a JSON object: a null in the list used to end in an uncoded TypeError.
  if (!Array.isArray(list) || !list.every(isPlainObject)) throw new CLIError('--keys must hold a JWKS, a list of JWKs or one JWK')
  return list as PublicJWK[]
}

/** Returns the readable view of a token or Signature-Input value. */
export async function inspect(input: string, options: { keys?: unknown; now?: number } = {}): Promise<string> {
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(input)) return inspectJWT(input, options)
  if (/=\s*\(/.test(input)) return inspectSignatureInput(input)
  throw new CLIError('input is neither a compact JWT nor a Signature-Input field value')
}

async function inspectJWT(token: string, options: { keys?: unknown; now?: number }): Promise<string> {
  const parsed = parseCompactJWS(token, { maxBytes: 64 * 1024, code: 'ERR_JWS_INVALID', what: 'token' })
  const { header, payload } = parsed
  let status = 'UNVERIFIED (signature not checked; pass --keys to check it)'
  if (options.keys !== undefined) {
    const alg = checkAlg(header, undefined, 'token')
    // Candidates: keys with the header's kid (or without a kid) that fit the alg as a verifier's
    // key selection would (kty, crv, alg, use, key_ops). A key of another type or curve, or one
    // that cannot be imported, checks nothing: it must not make the signature look INVALID.
    const byKid = keysOf(options.keys).filter((k) => header.kid === undefined || k.kid === undefined || k.kid === header.kid)
    const candidates = byKid.filter((k) => fits(k, alg))
    let ok = false
    let tried = 0
    for (const jwk of candidates) {
      let key: CryptoKey
      try {
        key = await importPublicJWK(jwk, alg)
      } catch {
        continue // malformed key: not a check
      }
      tried++
      try {
        await verifyJWSSignature(parsed, alg, key, { code: 'ERR_JWS_SIGNATURE', what: 'token' })
        ok = true
        break
      } catch {
        // try the next key
      }
    }
    status = ok ? 'SIGNATURE VERIFIED with the given keys (claims, audience and lifetime not checked: use `agentauth verify`)'
      : tried > 0 ? `SIGNATURE INVALID for every given key that fits (${tried} tried)`
        : byKid.length === 0 ? `SIGNATURE NOT CHECKED: no given key has kid ${shown(header.kid)}`
          : candidates.length === 0 ? `SIGNATURE NOT CHECKED: no given key fits ${alg} (key type, curve, alg, use)`
            : `SIGNATURE NOT CHECKED: no given key that fits could be imported (${candidates.length} malformed)`
  }
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const lines = [`${kindOf(header.typ)}`, `status: ${status}`, '', 'header:', ...render(header, '  '), '', 'claims:', ...render(payload, '  ')]
  if (typeof payload.exp === 'number') lines.push('', payload.exp > now ? `expires in ${payload.exp - now} s` : `EXPIRED ${now - payload.exp} s ago`)
  const tree = chainTree(payload)
  if (tree.length > 0) lines.push('', 'delegation chain:', ...tree)
  if (isPlainObject(payload.events)) {
    lines.push('', 'events:')
    for (const uri of Object.keys(payload.events)) lines.push(`  - ${uri.replace(/^https:\/\/schemas\.openid\.net\/secevent\//, '')}`)
  }
  return printLines(lines)
}

function inspectSignatureInput(value: string): string {
  const members = parseSignatureInput(value)
  const lines = ['HTTP Message Signature input (RFC 9421)', 'status: UNVERIFIED (a Signature-Input alone cannot be verified)', '']
  for (const m of members) {
    lines.push(`label ${m.label}:`, `  covers: ${m.components.join(' ')}`)
    for (const [k, v] of Object.entries(m.params)) lines.push(`  ${k}: ${(k === 'created' || k === 'expires') && typeof v === 'number' ? time(v) : shown(v)}`)
  }
  return printLines(lines)
}
