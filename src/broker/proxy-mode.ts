// ANY /v1/proxy/<encodeURIComponent(target URL)>: the broker applies its policy, attaches the
// credentials (bearer token via the token-exchange middleware, then a proof that binds it), sends
// the request, follows allowed redirects with fresh credentials and streams the answer back
// without any credential field.
import { ProtocolError, VerificationError } from '../errors/index.js'
import { CREDENTIAL_HEADERS, FIELD_NAME, credentialView, deleteAll, mergeGranted } from '../fetch/headers.js'
import { BROKER_ERROR_HEADER, PROXY_PATH } from '../fetch/protocol.js'
import { readRequestBody } from '../fetch/body.js'
import { sendWithRedirects, type Hop } from '../fetch/redirects.js'
import { createContentDigest } from '../httpsig/index.js'
import { bs } from '../internal/bytes.js'
import type { FetchLike } from '../internal/fetch-types.js'
import { checkApproval, checkPolicy, recordAllow, type BrokerContext, type Session } from './context.js'
import { refusal } from './responses.js'

/**
 * Request fields never forwarded: the capability token, hop-by-hop and framing fields, credentials
 * (plus every field the request's own `Connection` names).
 */
const DROP_REQUEST = [
  ...CREDENTIAL_HEADERS, 'host', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'content-length', 'content-digest',
  // Fields some frameworks and gateways obey to change the method or path after the broker's
  // policy checked them: an agent could otherwise step around its method and path rules.
  'x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-url', 'x-rewrite-url', 'x-original-method',
  // What a front end tells the application about the request's origin, route and client; the
  // agent is no front end: a destination trusting these would read the host, scheme or prefix the
  // agent chose instead of the URL the policy checked (every `X-Forwarded-*` field goes too).
  'forwarded', 'x-real-ip', 'via',
]
/**
 * Response fields never returned: credentials, hop-by-hop fields, and the encoding fetch already
 * undid. `Set-Cookie` is a session the destination issued to the broker's identity: the broker
 * never forwards cookies, so the agent could only use it to call the destination directly,
 * outside the policy, approval and audit.
 */
const DROP_RESPONSE = ['authorization', 'proxy-authorization', 'txn-token', 'workload-proof-token', 'set-cookie', 'set-cookie2', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'trailer', 'content-encoding', 'content-length', BROKER_ERROR_HEADER]

class Refused extends Error {
  readonly response: Response
  constructor(response: Response) {
    super('refused')
    this.response = response
  }
}

class UpstreamFailure extends Error {}

function parseTarget(request: Request): URL | undefined {
  const self = new URL(request.url)
  if (self.search !== '') return undefined
  let target: URL
  try {
    target = new URL(decodeURIComponent(self.pathname.slice(PROXY_PATH.length)))
  } catch {
    return undefined
  }
  if ((target.protocol !== 'https:' && target.protocol !== 'http:') || target.username !== '' || target.password !== '' || target.hash !== '') return undefined
  return target
}

/** The fields `Connection` names as hop-by-hop (RFC 9110 §7.6.1), lower case; invalid tokens ignored. */
function connectionOptions(headers: Headers): string[] {
  const value = headers.get('connection')
  if (value === null) return []
  return value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => FIELD_NAME.test(token))
}

function forwardHeaders(incoming: Headers): Headers {
  const out = new Headers(incoming)
  deleteAll(out, connectionOptions(out))
  deleteAll(out, DROP_REQUEST)
  for (const name of [...out.keys()]) if (name.startsWith('agentauth-') || name.startsWith('x-forwarded-')) out.delete(name)
  return out
}

/**
 * The response for the agent: credential fields and reflections of what we attached (in any field
 * value, any field name — a bearer token is a valid field name, compared in lower case as names
 * are — or the reason phrase) removed.
 */
function cleanResponse(response: Response, secrets: ReadonlySet<string>): Response {
  const headers = new Headers(response.headers)
  deleteAll(headers, connectionOptions(headers))
  deleteAll(headers, DROP_RESPONSE)
  const lowered = [...secrets].map((secret) => secret.toLowerCase())
  for (const [name, value] of [...headers]) {
    let reflected = lowered.some((secret) => name.includes(secret))
    for (const secret of secrets) reflected ||= value.includes(secret)
    if (reflected) headers.delete(name)
  }
  // The reason phrase is upstream text too: one that echoes a token is dropped like such a field.
  let { statusText } = response
  for (const secret of secrets) if (statusText.includes(secret)) statusText = ''
  const nullBody = response.status === 204 || response.status === 205 || response.status === 304
  return new Response(nullBody ? null : response.body, { status: response.status, statusText, headers })
}

export async function handleProxy(ctx: BrokerContext, session: Session, request: Request): Promise<Response> {
  const target = parseTarget(request)
  if (target === undefined) return session.deny('invalid_request', {})
  const { method } = request
  const gate = await checkPolicy(ctx, session, method, target)
  if ('refused' in gate) return gate.refused
  let body: Uint8Array | null
  try {
    body = await readRequestBody(request, gate.destination.maxBodyBytes)
  } catch (err) {
    if (err instanceof VerificationError && err.code === 'ERR_BODY_TOO_LARGE') return session.deny('body_too_large', { method, url: target })
    return session.deny('invalid_request', { method, url: target })
  }
  const held = await checkApproval(ctx, session, method, target)
  if (held !== undefined) return held
  const unaudited = await recordAllow(session, method, target)
  if (unaudited !== undefined) return unaudited

  const secrets = new Set<string>()
  const signAndSend: FetchLike = async (input, init) => {
    const req = new Request(input, init)
    const destination = ctx.policy.destinations.get(new URL(req.url).origin)
    if (destination === undefined) throw new Error('unreachable: hop was not checked against the policy')
    const granted = await ctx.credentials[destination.proof ?? ctx.proof].authorize(
      { method: req.method, url: req.url, contentDigest: req.headers.get('content-digest') ?? undefined, headers: credentialView(req.headers) },
      { signal: session.signal },
    )
    const headers = new Headers(req.headers)
    mergeGranted(headers, granted)
    for (const name of ['authorization', 'txn-token', 'workload-identity-token', 'workload-proof-token', 'signature']) {
      const value = headers.get(name)
      if (value !== null && value.length >= 16) secrets.add(value.replace(/^(Bearer|DPoP) +/i, ''))
    }
    try {
      return await ctx.upstream(new Request(req, { headers }))
    } catch (cause) {
      throw new UpstreamFailure('upstream failed', { cause })
    }
  }
  const attach = ctx.tokenExchange === undefined ? signAndSend : ctx.tokenExchange(signAndSend)
  let digest: string | undefined

  const sendHop = async (hop: Hop): Promise<Response> => {
    if (hop.index > 0) {
      const next = await checkPolicy(ctx, session, hop.method, hop.url, hop.index)
      if ('refused' in next) throw new Refused(next.refused)
      if (hop.body !== null && hop.body.length > next.destination.maxBodyBytes) throw new Refused(await session.deny('body_too_large', { method: hop.method, url: hop.url, hop: hop.index }))
      const held = await checkApproval(ctx, session, hop.method, hop.url, hop.index)
      if (held !== undefined) throw new Refused(held)
      const unaudited = await recordAllow(session, hop.method, hop.url, hop.index)
      if (unaudited !== undefined) throw new Refused(unaudited)
    }
    const headers = new Headers(hop.headers)
    const init: RequestInit = { method: hop.method, headers, redirect: 'manual', signal: session.signal }
    if (hop.body !== null) {
      digest ??= await createContentDigest(hop.body, { maxBytes: hop.body.length })
      headers.set('content-digest', digest)
      init.body = bs(hop.body)
    }
    return attach(hop.url, init)
  }

  let response: Response
  try {
    response = await sendWithRedirects({ url: target, method, headers: forwardHeaders(request.headers), body, index: 0 }, ctx.redirects, sendHop)
  } catch (err) {
    if (err instanceof Refused) return err.response
    ctx.onError(err)
    const reason = err instanceof UpstreamFailure || (err instanceof ProtocolError && err.code === 'ERR_FETCH_REDIRECT') ? 'upstream_failed' : 'credentials_failed'
    await session.record({ decision: 'deny', reason, method, url: target, status: 502 })
    return refusal(reason)
  }
  await session.record({ decision: 'allow', reason: 'completed', method, url: target, status: response.status })
  return cleanResponse(response, secrets)
}
