// POST /v1/proof: { method, url, contentDigest?, headers? } → { headers } for exactly that request.
import { VerificationError } from '../errors/index.js'
import { isSafeFieldValue } from '../fetch/headers.js'
import { MAX_PROOF_REQUEST_BYTES, PROOF_REQUEST_HEADERS } from '../fetch/protocol.js'
import { readBody } from '../httpsig/content-digest.js'
import { parseJSONObject, isPlainObject } from '../internal/json.js'
import { checkApproval, checkPolicy, recordAllow, type BrokerContext, type Session } from './context.js'
import { jsonAnswer, refusal } from './responses.js'

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}$/
const DIGEST = /^[\x20-\x7e]{1,1024}$/
const KEYS = new Set(['method', 'url', 'contentDigest', 'headers'])

interface ProofRequest {
  readonly method: string
  readonly url: URL
  readonly contentDigest: string | undefined
  readonly headers: Headers
}

/** Parses and checks the agent's JSON; undefined when anything is off. */
async function parseProofRequest(request: Request): Promise<ProofRequest | undefined> {
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) return undefined
  let bytes: Uint8Array
  try {
    bytes = await readBody(request.body, MAX_PROOF_REQUEST_BYTES)
  } catch {
    // Too large, or the agent's stream failed (connection reset, abort): the request is unusable.
    return undefined
  }
  let body
  try {
    body = parseJSONObject(bytes, { maxBytes: MAX_PROOF_REQUEST_BYTES, what: 'proof request' })
  } catch (err) {
    if (err instanceof VerificationError) return undefined
    throw err
  }
  if (!Object.keys(body).every((k) => KEYS.has(k))) return undefined
  const { method, url, contentDigest, headers } = body
  if (typeof method !== 'string' || !METHOD.test(method) || typeof url !== 'string' || url.length > 8192) return undefined
  if (contentDigest !== undefined && (typeof contentDigest !== 'string' || !DIGEST.test(contentDigest))) return undefined
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return undefined
  }
  if ((target.protocol !== 'https:' && target.protocol !== 'http:') || target.username !== '' || target.password !== '' || target.hash !== '') return undefined
  const fields = new Headers()
  if (headers !== undefined) {
    if (!isPlainObject(headers)) return undefined
    for (const [name, value] of Object.entries(headers)) {
      if (!PROOF_REQUEST_HEADERS.includes(name.toLowerCase()) || typeof value !== 'string' || !isSafeFieldValue(value)) return undefined
      fields.set(name, value)
    }
  }
  return { method, url: target, contentDigest, headers: fields }
}

export async function handleProof(ctx: BrokerContext, session: Session, request: Request): Promise<Response> {
  if (request.method !== 'POST') return session.deny('invalid_request', {})
  const proof = await parseProofRequest(request)
  if (proof === undefined) return session.deny('invalid_request', {})
  const { method, url } = proof
  const gate = await checkPolicy(ctx, session, method, url)
  if ('refused' in gate) return gate.refused
  const held = await checkApproval(ctx, session, method, url)
  if (held !== undefined) return held
  const unaudited = await recordAllow(session, method, url)
  if (unaudited !== undefined) return unaudited
  const credentials = ctx.credentials[gate.destination.proof ?? ctx.proof]
  let granted: Headers
  try {
    granted = await credentials.authorize({ method, url: url.href, contentDigest: proof.contentDigest, headers: proof.headers }, { signal: session.signal })
  } catch (err) {
    ctx.onError(err)
    await session.record({ decision: 'deny', reason: 'credentials_failed', method, url, status: 502 })
    return refusal('credentials_failed')
  }
  const out: Record<string, string> = {}
  granted.forEach((value, name) => {
    out[name] = value
  })
  return jsonAnswer({ headers: out })
}
