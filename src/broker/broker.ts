import { codedTypeError } from '../errors/index.js'
import { localCredentials } from '../fetch/local-credentials.js'
import { PROOF_PATH, PROXY_PATH, type BrokerReason } from '../fetch/protocol.js'
import { normaliseRedirects } from '../fetch/redirects.js'
import { assertFunction, assertObject, looseInstanceOf, optionalNumber } from '../internal/assert.js'
import type { FetchLike } from '../internal/fetch-types.js'
import { systemClock, type Clock } from '../internal/time.js'
import { peekWITProofAlgorithm } from '../internal/wit-peek.js'
import { staticWITSource } from '../wit/index.js'
import type { WITSource } from '../wit/types.js'
import { auditRecord, writeAudit } from './audit.js'
import { createCapabilityCheck } from './capability.js'
import { createSession, type BrokerContext } from './context.js'
import { normalisePolicy } from './policy.js'
import { handleProof } from './proof-mode.js'
import { handleProxy } from './proxy-mode.js'
import { REASON_STATUS, refusal } from './responses.js'
import type { BrokerMode, CredentialBroker, CredentialBrokerOptions } from './types.js'
import { runHook } from '../internal/hook.js'

/**
 * Creates a **credential broker**: the process that holds an agent's key, WIT and any bearer
 * tokens, so the LLM-driven agent process holds none of them. The result is a runtime-agnostic
 * `(Request) => Promise<Response>` handler; serve it on a Unix domain socket or a loopback port
 * (`startBroker` in `agentauth/broker/node` does both).
 *
 * Every request must carry `Authorization: Bearer <capability token>` (compared as SHA-256 digests
 * in constant time; missing or wrong → 401). Then, in order: destination policy (exact origin,
 * mode, segment-aware path prefix, method; 403), rate limit (token bucket per origin; 429 with
 * `Retry-After`), body limit (proxy; 413), the `approve` hook (403 when denied or after
 * `approvalTimeout`), the audit record (a failed write refuses the request: 503), and only then
 * credentials. Refusals are JSON `{ error: { code, reason, message } }` with the
 * `Agentauth-Broker-Error` header; every decision is audited — an authenticated request to a path
 * that is no broker endpoint (404 `not_found`, mode `unknown`) and an unexpected internal failure
 * (502 `credentials_failed`) included.
 *
 * - **Proof mode** — `POST /v1/proof` with JSON `{ method, url, contentDigest?, headers? }`
 *   (`headers` limited to `content-type`, `authorization`, `txn-token`): answers
 *   `{ headers: { … } }` holding the WIT and a proof bound to exactly that method, URL and digest.
 *   The agent sends the request itself (`remoteCredentials` in `agentauth/fetch`).
 * - **Proxy mode** — any method on `/v1/proxy/<encodeURIComponent(target URL)>` with the request
 *   body: the broker forwards the request with credentials attached — bearer tokens from the
 *   `tokenExchange` middleware first, then a proof that binds them — follows redirects only to
 *   destinations the policy allows (fresh credentials per hop, each hop audited), and streams the
 *   response back without credential fields or reflections of them (`createProxyFetch`).
 *
 * @param options - see {@link CredentialBrokerOptions}.
 * @returns the {@link CredentialBroker} handler. It answers every failure (401/403/413/429/502/503)
 *   and rejects only for a non-`Request` argument (coded `TypeError`).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (including
 *   capability tokens shorter than 32 characters, policy entries that are not exact origins,
 *   policy members the policy does not define, a compact `wit` whose `cnf.jwk.alg` differs from the
 *   signer's, and a `crypto` without `subtle` or `randomUUID`).
 *
 * @example
 * ```ts
 * import { createCredentialBroker } from 'agentauth/broker'
 *
 * const broker = createCredentialBroker({
 *   signer,                                  // the agent's key, e.g. createJWKSigner(...)
 *   wit: witSource,                          // the agent's WIT
 *   proof: 'httpsig',
 *   policy: {
 *     destinations: {
 *       'https://api.example.com': { paths: ['/v1/search', '/v1/orders'], methods: ['GET', 'POST'], rateLimit: { requests: 60, interval: 60 } },
 *     },
 *   },
 *   audit: (record) => auditLog.write(JSON.stringify(record) + '\n'),
 *   capabilityTokens: capabilityToken,
 * })
 * const response = await broker(new Request('http://localhost/v1/proof', { method: 'POST', headers, body }))
 * ```
 */
export function createCredentialBroker(options: CredentialBrokerOptions): CredentialBroker {
  assertObject(options, 'options')
  if (options.clock !== undefined) assertFunction(options.clock, 'options.clock')
  const clock: Clock = options.clock ?? systemClock
  if (options.crypto !== undefined) {
    // Used for request ids (randomUUID) and capability digests (subtle): a provider lacking either
    // would fail every request instead of this call.
    assertObject(options.crypto, 'options.crypto')
    assertObject(options.crypto.subtle, 'options.crypto.subtle')
    assertFunction(options.crypto.randomUUID, 'options.crypto.randomUUID')
  }
  const crypto = options.crypto ?? globalThis.crypto
  if (options.proof !== 'wpt' && options.proof !== 'httpsig') throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.proof must be 'wpt' or 'httpsig'")
  assertFunction(options.audit, 'options.audit')
  if (options.approve !== undefined) assertFunction(options.approve, 'options.approve')
  if (options.tokenExchange !== undefined) assertFunction(options.tokenExchange, 'options.tokenExchange')
  if (options.fetch !== undefined) assertFunction(options.fetch, 'options.fetch')
  if (options.onError !== undefined) assertFunction(options.onError, 'options.onError')
  const checkCapability = createCapabilityCheck(options.capabilityTokens, crypto)
  const policy = normalisePolicy(options.policy, clock)
  let wit: WITSource
  if (typeof options.wit === 'string') {
    // As localCredentials refuses it for a compact WIT: every proof would fail verification.
    const proofAlg = peekWITProofAlgorithm(options.wit)
    const signerAlg = (options.signer as { alg?: unknown } | undefined)?.alg
    if (proofAlg !== undefined && typeof signerAlg === 'string' && proofAlg !== signerAlg) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.signer.alg ${signerAlg} does not equal the WIT cnf.jwk.alg ${proofAlg}`)
    }
    wit = staticWITSource(options.wit, { clock })
  } else {
    assertObject(options.wit, 'options.wit')
    assertFunction(options.wit.getWIT, 'options.wit.getWIT')
    wit = options.wit
  }
  const common = { signer: options.signer, wit, clock, ...(options.lifetime !== undefined ? { lifetime: options.lifetime } : {}), ...(options.crypto ? { crypto: options.crypto } : {}) }
  const reportError = options.onError
  const upstream: FetchLike = options.fetch ?? ((input, init) => fetch(input, init))
  const ctx: BrokerContext = Object.freeze({
    policy,
    credentials: Object.freeze({
      wpt: localCredentials({ ...common, proof: 'wpt' }),
      httpsig: localCredentials({ ...common, proof: 'httpsig', ...(options.signResponse !== undefined ? { signResponse: options.signResponse } : {}) }),
    }),
    proof: options.proof,
    audit: options.audit,
    approve: options.approve,
    approvalTimeoutMs: optionalNumber(options.approvalTimeout, 'options.approvalTimeout', 120, { min: 0.001, max: 86_400 }) * 1000,
    approvals: { pending: 0 },
    tokenExchange: options.tokenExchange,
    upstream,
    redirects: normaliseRedirects(options.redirects, 'options.redirects'),
    // A failing (or rejecting) error reporter must not change the answer.
    onError: (err: unknown) => runHook(reportError, err),
    clock,
  })

  /** A refusal decided before a mode handler runs (or after one threw), audited without a destination. */
  const refuse = async (id: string, reason: BrokerReason, mode: BrokerMode | undefined): Promise<Response> => {
    await writeAudit(ctx.audit, auditRecord(id, clock(), { decision: 'deny', reason, mode: mode ?? 'unknown', status: REASON_STATUS[reason] }), ctx.onError)
    return refusal(reason)
  }

  return async function credentialBroker(request: Request): Promise<Response> {
    if (!looseInstanceOf(request, Request)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request must be a Request')
    const { pathname } = new URL(request.url)
    const mode: BrokerMode | undefined = pathname === PROOF_PATH ? 'proof' : pathname.startsWith(PROXY_PATH) ? 'proxy' : undefined
    const id = crypto.randomUUID()
    try {
      if (!(await checkCapability(request.headers.get('authorization')))) return await refuse(id, 'unauthorized', mode)
      if (mode === undefined) return await refuse(id, 'not_found', mode)
      const session = createSession(ctx, id, mode, request.signal)
      return mode === 'proof' ? await handleProof(ctx, session, request) : await handleProxy(ctx, session, request)
    } catch (err) {
      // Whatever failed unexpectedly is still a decision: it is audited like every other one.
      ctx.onError(err)
      return refuse(id, 'credentials_failed', mode).catch(() => refusal('credentials_failed'))
    }
  }
}
