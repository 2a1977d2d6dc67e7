import { CLIENT_ASSERTION_TYPE_JWT_BEARER } from '../client-auth/private-key-jwt.js'
import { CLIENT_ATTESTATION_HEADER, CLIENT_ATTESTATION_POP_HEADER, CLIENT_ATTESTATION_POP_TYP } from '../client-auth/wit-client-auth.js'
import { codedTypeError, VerificationError } from '../errors/index.js'
import { decodeUtf8Strict } from '../internal/bytes.js'
import { decodeStrict } from '../internal/base64url.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { algorithmsOption, checkKeyInput, verifyJWT, type KeyInput } from '../internal/oauth-jwt.js'
import { asRefusal, refuse } from '../internal/oauth-server.js'
import type { Clock } from '../internal/time.js'
import type { JWSAlgorithm } from '../signer/algorithms.js'
import { jwkThumbprint } from '../signer/thumbprint.js'
import type { ReplayCache } from '../stores/types.js'
import type { VerifiedWIT } from '../wit/types.js'
import { replayKey } from '../internal/replay-key.js'

/**
 * A client registered with the token service.
 *
 * @example
 * ```ts
 * import type { RegisteredClient } from 'agentauth/token-service'
 * const planner: RegisteredClient = { clientId: 'spiffe://example.com/agents/planner' } // authenticates with its WIT
 * const broker: RegisteredClient = { clientId: 'broker', keys: { keys: [brokerJwk] } } // private_key_jwt
 * ```
 */
export interface RegisteredClient {
  readonly clientId: string
  /** Public keys for `private_key_jwt` (RFC 7523 §2.2 assertions). */
  readonly keys?: KeyInput
  /**
   * The workload identifier whose WIT authenticates this client (`attest_jwt_client_auth`).
   * Defaults to `clientId` (a workload registered under its own identifier).
   */
  readonly workloadId?: string
  /** Accept mTLS authentication when `tlsClientIdentity` reports this identity. */
  readonly tlsIdentity?: string
  /** Free-form metadata policies may read (tenant, trust domain, allowed audiences …). */
  readonly metadata?: Readonly<Record<string, unknown>>
}

/**
 * How a request's client was authenticated. Frozen.
 *
 * @example
 * ```ts
 * import type { AuthenticatedClient } from 'agentauth/token-service'
 * const bindTo = (client: AuthenticatedClient) => (client.jkt === undefined ? undefined : { jkt: client.jkt })
 * ```
 */
export interface AuthenticatedClient {
  readonly clientId: string
  readonly method: 'private_key_jwt' | 'attest_jwt_client_auth' | 'tls_client_auth'
  readonly client: RegisteredClient
  /** The verified WIT for `attest_jwt_client_auth`. */
  readonly wit: VerifiedWIT | undefined
  /** The workload identifier proven by the WIT (or the TLS identity). */
  readonly workloadId: string | undefined
  /** RFC 7638 thumbprint of the WIT key: the key issued tokens can be bound to (`cnf.jkt`). */
  readonly jkt: string | undefined
}

/**
 * Authenticates the client of one token request.
 *
 * @example
 * ```ts
 * import { createClientAuthenticator, type ClientAuthenticator } from 'agentauth/token-service'
 * const authenticate: ClientAuthenticator = createClientAuthenticator({ issuer, clients, replayCache })
 * const client = await authenticate(request, form)
 * ```
 */
export type ClientAuthenticator = (request: Request, form: URLSearchParams) => Promise<AuthenticatedClient>

/**
 * Options of {@link createClientAuthenticator}.
 *
 * @example
 * ```ts
 * import { createClientAuthenticator, type ClientAuthenticatorOptions } from 'agentauth/token-service'
 * const options: ClientAuthenticatorOptions = { issuer: 'https://sts.example.com', clients, replayCache, witVerifier }
 * const authenticate = createClientAuthenticator(options)
 * ```
 */
export interface ClientAuthenticatorOptions {
  /** This server's issuer identifier: the required `aud` of assertions and PoPs. */
  issuer: string
  /** Also accept the token endpoint URL as assertion `aud` (RFC 7523 §3; 7523bis allows only the issuer). */
  tokenEndpoint?: string
  /** Registered clients: a map by client id or a lookup. */
  clients: Readonly<Record<string, RegisteredClient>> | ((clientId: string) => RegisteredClient | undefined | Promise<RegisteredClient | undefined>)
  /** Single-use store for assertion and PoP `jti`s (required: replays must be refused). */
  replayCache: ReplayCache
  /** Enables WIT client authentication: verifies the `OAuth-Client-Attestation` WIT (e.g. `createWITVerifier`). */
  witVerifier?: (token: string) => Promise<VerifiedWIT>
  /** Enables mTLS client authentication: the identity the TLS layer verified for this request. */
  tlsClientIdentity?: (request: Request) => string | undefined
  /** Allowed assertion algorithms (default: every supported asymmetric one). */
  algorithms?: readonly JWSAlgorithm[]
  /** Longest accepted assertion/PoP lifetime and age in seconds (default 300). */
  maxAssertionAge?: number
  clock?: Clock
  /** Seconds of clock skew (default 30). */
  clockTolerance?: number
  /**
   * Web Crypto provider for key import, signature verification and the WIT key thumbprint (default
   * `globalThis.crypto`), e.g. `nodeCrypto()` from `agentauth/adapters/node`. The `witVerifier`
   * uses its own (give it the same one).
   */
  crypto?: Crypto
}

function fail(message: string, cause?: unknown): VerificationError {
  return refuse('invalid_client', 'ERR_CLIENT_AUTH_FAILED', message, cause === undefined ? {} : { cause })
}

function unverifiedClaim(token: string, name: string): unknown {
  const parts = token.split('.')
  if (parts.length !== 3 || parts[1]!.length > 16_384) return undefined
  try {
    return (JSON.parse(decodeUtf8Strict(decodeStrict(parts[1]!))) as Record<string, unknown>)[name]
  } catch {
    return undefined
  }
}

/**
 * Server-side OAuth client authentication for the token service: `private_key_jwt` (RFC 7523 §2.2
 * assertion, `aud` = issuer (or token endpoint if configured), `iss` = `sub` = client id, `exp`
 * required and short, `jti` single-use), `attest_jwt_client_auth` with a WIT + PoP
 * (draft-ietf-oauth-spiffe-client-auth-02 §3.3: WIT verified by `witVerifier`, PoP `typ`
 * `oauth-client-attestation-pop+jwt` signed with the WIT key, `aud` = issuer, `jti` single-use,
 * fresh `iat`), and mTLS via a `tlsClientIdentity` hook. Client secrets are not supported. More
 * than one method in a request is refused (RFC 6749 §2.3).
 *
 * @param options - see {@link ClientAuthenticatorOptions}.
 * @returns a {@link ClientAuthenticator}.
 * @throws TypeError for bad options. The authenticator throws VerificationError
 *   `ERR_CLIENT_AUTH_FAILED` (→ `invalid_client`, 401) and `ERR_OAUTH_REQUEST_INVALID`; StoreError
 *   when the replay cache is down (fail closed).
 *
 * @example
 * ```ts
 * import { createClientAuthenticator } from 'agentauth/token-service'
 * import { createMemoryReplayCache } from 'agentauth/stores'
 * import { createWITVerifier } from 'agentauth/wit'
 *
 * const authenticateClient = createClientAuthenticator({
 *   issuer: 'https://sts.example.com',
 *   clients: { 'agent-broker': { clientId: 'agent-broker', keys: { keys: [brokerPublicJwk] } } },
 *   replayCache: createMemoryReplayCache(),
 *   witVerifier: createWITVerifier({ trustBundles }),
 * })
 * ```
 */
export function createClientAuthenticator(options: ClientAuthenticatorOptions): ClientAuthenticator {
  checkObject(options, 'options')
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be a non-empty string')
  if (typeof options.clients !== 'function') {
    checkObject(options.clients, 'options.clients')
    for (const [id, c] of Object.entries(options.clients)) {
      checkObject(c, `options.clients["${id}"]`)
      if (c.clientId !== id) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.clients["${id}"].clientId must equal its key`)
      if (c.keys !== undefined) checkKeyInput(c.keys, `options.clients["${id}"].keys`)
    }
  }
  checkObject(options.replayCache, 'options.replayCache')
  checkFunction(options.replayCache.claim, 'options.replayCache.claim')
  if (options.witVerifier !== undefined) checkFunction(options.witVerifier, 'options.witVerifier')
  if (options.tlsClientIdentity !== undefined) checkFunction(options.tlsClientIdentity, 'options.tlsClientIdentity')
  if (options.crypto !== undefined) {
    checkObject(options.crypto, 'options.crypto')
    checkObject(options.crypto.subtle, 'options.crypto.subtle')
  }
  const algorithms = algorithmsOption(options.algorithms, 'options.algorithms')
  for (const [name, v] of [['maxAssertionAge', options.maxAssertionAge], ['clockTolerance', options.clockTolerance]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 3600)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.${name} must be in [0, 3600]`)
  }
  const maxAge = options.maxAssertionAge ?? 300
  const tolerance = options.clockTolerance ?? 30
  const audience = options.tokenEndpoint === undefined ? [options.issuer] : [options.issuer, options.tokenEndpoint]
  const { replayCache, witVerifier, tlsClientIdentity, clock, crypto } = options
  const clients = options.clients

  async function lookup(clientId: string): Promise<RegisteredClient> {
    const found = typeof clients === 'function' ? await clients(clientId) : Object.hasOwn(clients, clientId) ? clients[clientId] : undefined
    if (found === undefined) throw fail('unknown client')
    // A lookup that matches loosely (case-insensitive, by prefix …) must not let a client act under
    // another spelling of its id: the id the client is authenticated as is the one registered.
    if (typeof found !== 'object' || found === null || found.clientId !== clientId) throw fail('the client lookup returned another client')
    return found
  }

  async function claimJti(kind: string, clientId: string, payload: Record<string, unknown>): Promise<void> {
    const jti = payload.jti
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw fail(`${kind} has no usable jti`)
    const exp = typeof payload.exp === 'number' ? payload.exp : (payload.iat as number) + maxAge
    if (!(await replayCache.claim(replayKey(kind, clientId, jti), Math.ceil(exp + tolerance)))) throw fail(`${kind} was replayed`)
  }

  async function privateKeyJwt(form: URLSearchParams): Promise<AuthenticatedClient> {
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE_JWT_BEARER) throw fail('unsupported client_assertion_type')
    const assertion = form.get('client_assertion') ?? ''
    const claimed = unverifiedClaim(assertion, 'iss')
    if (typeof claimed !== 'string' || claimed.length === 0) throw fail('client assertion names no issuer')
    const bodyId = form.get('client_id')
    if (bodyId !== null && bodyId !== claimed) throw fail('client_id does not match the client assertion')
    const client = await lookup(claimed)
    if (client.keys === undefined) throw fail('client is not registered for private_key_jwt')
    let payload: Record<string, unknown>
    try {
      payload = (await verifyJWT(assertion, {
        keys: client.keys, algorithms, issuer: claimed, audience, clock, clockTolerance: tolerance, crypto,
        required: ['iss', 'sub', 'aud', 'exp', 'jti'], maxLifetime: maxAge, maxBytes: 8192,
        code: 'ERR_CLIENT_AUTH_FAILED', what: 'client assertion',
      })).payload
    } catch (err) {
      throw asRefusal(err, 'invalid_client')
    }
    if (payload.sub !== claimed) throw fail('client assertion sub must equal iss')
    await claimJti('client-assertion', claimed, payload)
    return Object.freeze({ clientId: claimed, method: 'private_key_jwt', client, wit: undefined, workloadId: undefined, jkt: undefined })
  }

  async function attestation(request: Request, form: URLSearchParams): Promise<AuthenticatedClient> {
    if (witVerifier === undefined) throw fail('WIT client authentication is not enabled')
    const witToken = request.headers.get(CLIENT_ATTESTATION_HEADER)
    const popToken = request.headers.get(CLIENT_ATTESTATION_POP_HEADER)
    if (witToken === null || popToken === null || witToken.includes(',') || popToken.includes(',')) throw fail('exactly one client attestation and one PoP are required')
    let wit: VerifiedWIT
    try {
      wit = await witVerifier(witToken)
    } catch (err) {
      throw asRefusal(err, 'invalid_client')
    }
    const clientId = form.get('client_id') ?? wit.id
    const client = await lookup(clientId)
    if ((client.workloadId ?? client.clientId) !== wit.id) throw fail('the WIT does not identify this client')
    let payload: Record<string, unknown>
    try {
      payload = (await verifyJWT(popToken, {
        keys: [wit.key], ignoreKid: true, algorithms: [wit.proofAlgorithm], typ: [CLIENT_ATTESTATION_POP_TYP], audience: options.issuer,
        clock, clockTolerance: tolerance, crypto, required: ['aud', 'jti', 'iat'], maxTokenAge: maxAge, maxLifetime: maxAge, maxBytes: 4096,
        code: 'ERR_CLIENT_AUTH_FAILED', what: 'client attestation PoP',
      })).payload
    } catch (err) {
      throw asRefusal(err, 'invalid_client')
    }
    if (payload.iss !== undefined && payload.iss !== clientId) throw fail('client attestation PoP iss must be the client id')
    // Single use per WIT identity, not per client id: the client_id parameter is not signed, so a
    // PoP keyed by it could be replayed once under every client registered for the same workload.
    await claimJti('client-attestation-pop', wit.id, payload)
    const jkt = await jwkThumbprint(wit.key, crypto)
    return Object.freeze({ clientId, method: 'attest_jwt_client_auth', client, wit, workloadId: wit.id, jkt })
  }

  async function tls(request: Request, form: URLSearchParams): Promise<AuthenticatedClient> {
    const identity = tlsClientIdentity?.(request)
    const clientId = form.get('client_id')
    if (identity === undefined || clientId === null) throw fail('client authentication is required')
    const client = await lookup(clientId)
    if (client.tlsIdentity === undefined || client.tlsIdentity !== identity) throw fail('the TLS client identity does not match the client')
    return Object.freeze({ clientId, method: 'tls_client_auth', client, wit: undefined, workloadId: identity, jkt: undefined })
  }

  return async function authenticateClient(request, form) {
    if (form.has('client_secret') || request.headers.has('authorization')) throw fail('client secrets and HTTP authentication are not accepted')
    const hasAssertion = form.has('client_assertion') || form.has('client_assertion_type')
    const hasAttestation = request.headers.has(CLIENT_ATTESTATION_HEADER) || request.headers.has(CLIENT_ATTESTATION_POP_HEADER)
    if (hasAssertion && hasAttestation) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'more than one client authentication method')
    if (hasAssertion) return privateKeyJwt(form)
    if (hasAttestation) return attestation(request, form)
    return tls(request, form)
  }
}
