// Mutual TLS on Node: read the peer's certificate chain from a TLSSocket and verify it as an
// X.509-SVID with an `agentauth/x509` verifier. Only types come from the x509 module, so this file
// never loads @peculiar/x509 by itself — the verifier the caller passes does, lazily.
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls'
import { codedTypeError, VerificationError } from '../../errors/index.js'
import type { IdentifierMatcher } from '../../identifier/index.js'
import type { Clock } from '../../internal/time.js'
import type { VerifiedX509SVID, X509SVIDVerifier, X509SVIDVerifyCallOptions } from '../../x509/index.js'

/** Most certificates read from a peer chain (the verifier applies its own, lower, limit). */
const MAX_PEER_CERTIFICATES = 32

function assertSocket(socket: unknown): asserts socket is TLSSocket {
  if (typeof socket !== 'object' || socket === null || typeof (socket as TLSSocket).getPeerCertificate !== 'function') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'socket must be a TLSSocket')
  }
}

/** The call options passed on to the verifier (`undefined` when there is no signal). */
function callOptions(options: unknown): X509SVIDVerifyCallOptions | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  const signal = (options as X509SVIDVerifyCallOptions).signal
  if (signal === undefined) return undefined
  if (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signal must be an AbortSignal')
  }
  return { signal }
}

function resumed(socket: TLSSocket): boolean {
  return typeof socket.isSessionReused === 'function' && socket.isSessionReused()
}

function noCertificate(socket: TLSSocket): VerificationError {
  // A client socket on a resumed session sees no server certificate at all (OpenSSL keeps none
  // for it), although the server presented one on the full handshake.
  const reason = resumed(socket)
    ? 'the TLS session was resumed and the peer certificate is not available (disable session reuse to verify the peer)'
    : 'the peer presented no client certificate'
  return new VerificationError('ERR_X509_SVID_INVALID', `X.509-SVID rejected: ${reason}`, { reason, status: 401 })
}

// On a resumed session OpenSSL gives a server the client's leaf but not its intermediates, so the
// intermediates of paths verified before are remembered per verifier, by leaf, and presented with
// a resumed leaf. They are not trusted: the verifier checks the whole chain again.
const MAX_REMEMBERED = 256
const remembered = new WeakMap<X509SVIDVerifier, Map<string, readonly Uint8Array[]>>()

function leafKey(der: Uint8Array): string {
  let s = ''
  for (let i = 0; i < der.length; i += 4096) s += String.fromCharCode(...der.subarray(i, i + 4096))
  return s
}

function remember(verifier: X509SVIDVerifier, result: VerifiedX509SVID): void {
  // The verified path is leaf, intermediates, bundle certificate: only the middle is needed.
  if (!Array.isArray(result?.chain) || result.chain.length < 3) return
  let map = remembered.get(verifier)
  if (map === undefined) remembered.set(verifier, (map = new Map()))
  const key = leafKey(result.chain[0]!)
  map.delete(key)
  if (map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value as string)
  map.set(key, result.chain.slice(1, -1))
}

/**
 * The peer's certificates as DER, leaf first, from `socket.getPeerCertificate(true)`: the leaf,
 * then each `issuerCertificate` until the chain ends or repeats (Node marks a self-signed root by
 * pointing it at itself). Empty when the peer sent no certificate.
 *
 * @param socket - A connected `TLSSocket` (server side: created with `requestCert: true`).
 * @returns DER byte arrays (copies).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `socket` is not a TLS socket.
 *
 * @example
 * ```ts
 * import { peerCertificateChain } from 'agentauth/adapters/node'
 * server.on('secureConnection', (socket) => console.log(peerCertificateChain(socket).length))
 * ```
 */
export function peerCertificateChain(socket: TLSSocket): Uint8Array[] {
  assertSocket(socket)
  const out: Uint8Array[] = []
  const seen = new Set<DetailedPeerCertificate>()
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true)
  while (cert !== undefined && cert !== null && cert.raw !== undefined && !seen.has(cert) && out.length < MAX_PEER_CERTIFICATES) {
    seen.add(cert)
    out.push(new Uint8Array(cert.raw))
    cert = cert.issuerCertificate
  }
  return out
}

/**
 * Verifies the certificate chain the TLS peer presented as an X.509-SVID (or WIMSE Workload
 * Identity Certificate) and returns its identity. Works on any `TLSSocket`: a `node:tls` server
 * connection, `req.socket` of a `node:https` request, or a client socket checking the server.
 * agentauth's verifier decides trust: the server may set `rejectUnauthorized: false` so that
 * OpenSSL does not need the SPIFFE bundle, but must then call this before acting on the connection.
 *
 * On a resumed TLS session a server gets only the client's leaf from OpenSSL; the intermediates of
 * a path this `verifier` verified for that leaf before are presented with it (and verified again).
 * A client on a resumed session gets no server certificate at all and is refused: a client that
 * checks the server this way must not resume sessions (`https.Agent`: `maxCachedSessions: 0`).
 *
 * @param socket - The connected TLS socket.
 * @param verifier - From `createX509SVIDVerifier` (`agentauth/x509`).
 * @param options - `signal`: passed to the verifier, which stops waiting for its bundle source
 *   when it aborts (a source that never answers would otherwise hold the connection). Without one
 *   the wait is bounded only by the source itself (a `remoteTrustBundle` fetch by its `timeoutMs`).
 * @returns The verified SVID (`id`, `trustDomain`, `chain`, `expiresAt`).
 * @throws VerificationError `ERR_X509_SVID_INVALID` with status 401 when no certificate was
 *   presented (or a client's session was resumed); otherwise whatever the verifier throws (`ERR_X509_*`, `ERR_ALG_NOT_ALLOWED`,
 *   ProtocolError `ERR_BUNDLE_FETCH`, or `ERR_REMOTE_TIMEOUT` when a timeout `signal` fired).
 *   TypeError `ERR_INVALID_ARG_TYPE` for bad arguments.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:tls'
 * import { verifyPeerCertificate } from 'agentauth/adapters/node'
 * import { createX509SVIDVerifier, staticX509Bundles } from 'agentauth/x509'
 *
 * const verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': caPem }) })
 * createServer({ key, cert, requestCert: true, rejectUnauthorized: false }, async (socket) => {
 *   try {
 *     const peer = await verifyPeerCertificate(socket, verifier, { signal: AbortSignal.timeout(5000) })
 *     socket.end(`hello ${peer.id.id}\n`)
 *   } catch {
 *     socket.destroy()
 *   }
 * }).listen(8443)
 * ```
 */
export async function verifyPeerCertificate(socket: TLSSocket, verifier: X509SVIDVerifier, options?: X509SVIDVerifyCallOptions): Promise<VerifiedX509SVID> {
  if (typeof verifier !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'verifier must be a function from createX509SVIDVerifier')
  return (await verifyPeerChain(socket, verifier, callOptions(options))).result
}

/** {@link verifyPeerCertificate}, also returning the chain that was given to the verifier. */
async function verifyPeerChain(socket: TLSSocket, verifier: X509SVIDVerifier, options: X509SVIDVerifyCallOptions | undefined): Promise<{ chain: readonly Uint8Array[]; result: VerifiedX509SVID }> {
  let chain = peerCertificateChain(socket)
  if (chain.length === 0) throw noCertificate(socket)
  if (chain.length === 1 && resumed(socket)) {
    const intermediates = remembered.get(verifier)?.get(leafKey(chain[0]!))
    if (intermediates !== undefined) chain = [chain[0]!, ...intermediates]
  }
  const result = await verifier(chain, options)
  remember(verifier, result)
  return { chain, result }
}

/**
 * Options of {@link createPeerAuthorizer}.
 *
 * @example
 * ```ts
 * const options: PeerAuthorizerOptions = { clock: () => Date.now() }
 * ```
 */
export interface PeerAuthorizerOptions {
  /** Clock for reusing the peer chain read on the same connection (until the path expires); default `Date.now`. */
  clock?: Clock
}

/**
 * An mTLS authoriser (go-spiffe `tlsconfig.AuthorizeID` style): verifies the peer's X.509-SVID
 * with `verifier`, then asks `authorize` (an identifier matcher such as `matchId`,
 * `matchTrustDomain`, `matchOneOf`) whether that workload may talk to us. The peer chain read on a
 * connection is kept while the peer certificate stays the same and the path has not expired, and
 * is passed to `verifier` again on every call: a verifier from `createX509SVIDVerifier` answers it
 * from its result cache (no signature checked) but asks its bundle source each time, so a CA
 * removed from the bundle stops keep-alive connections at their next request.
 *
 * @param verifier - From `createX509SVIDVerifier`.
 * @param authorize - Decides on the verified identifier.
 * @param options - `clock`.
 * @returns `(socket, { signal }?) => Promise<VerifiedX509SVID>`; `signal` bounds the wait for the
 *   bundle source as on {@link verifyPeerCertificate}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` for bad arguments. The returned function rejects like
 *   {@link verifyPeerCertificate}, and with VerificationError `ERR_POLICY_DENIED` (403) when the
 *   matcher refuses the identifier or throws (its error is the `cause`).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:https'
 * import { createPeerAuthorizer } from 'agentauth/adapters/node'
 * import { VerificationError } from 'agentauth/errors'
 * import { matchId } from 'agentauth/identifier'
 *
 * const authorizePeer = createPeerAuthorizer(verifier, matchId('spiffe://example.org/billing'))
 * createServer({ key, cert, requestCert: true, rejectUnauthorized: false }, async (req, res) => {
 *   try {
 *     const peer = await authorizePeer(req.socket as TLSSocket, { signal: AbortSignal.timeout(5000) })
 *     res.end(`hello ${peer.id.id}`)
 *   } catch (err) {
 *     // A ProtocolError's status is the upstream's (a bundle endpoint's 200): never answer it.
 *     res.writeHead(err instanceof VerificationError ? err.status : 503).end()
 *   }
 * })
 * ```
 */
export function createPeerAuthorizer(
  verifier: X509SVIDVerifier,
  authorize: IdentifierMatcher,
  options?: PeerAuthorizerOptions,
): (socket: TLSSocket, options?: X509SVIDVerifyCallOptions) => Promise<VerifiedX509SVID> {
  if (typeof verifier !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'verifier must be a function from createX509SVIDVerifier')
  if (typeof authorize !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'authorize must be an identifier matcher')
  const clock = options?.clock ?? Date.now
  if (typeof clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
  const verified = new WeakMap<TLSSocket, { leaf: Uint8Array; chain: readonly Uint8Array[]; expiresAt: number }>()

  return async function authorizePeer(socket: TLSSocket, options?: X509SVIDVerifyCallOptions): Promise<VerifiedX509SVID> {
    assertSocket(socket)
    const call = callOptions(options)
    // The leaf alone (cheap) decides whether the chain read on this connection still applies.
    const raw = socket.getPeerCertificate(false)?.raw
    if (raw === undefined) throw noCertificate(socket)
    let result: VerifiedX509SVID
    const hit = verified.get(socket)
    if (hit !== undefined && sameBytes(hit.leaf, raw) && clock() <= hit.expiresAt) {
      // Verified again, not reused: the verifier answers a chain it verified from its cache but
      // asks the bundle source each time, so a CA removed from the bundle (rotation after a
      // compromise) stops keep-alive connections too, not only new ones.
      result = await verifier(hit.chain, call)
    } else {
      const { chain, result: fresh } = await verifyPeerChain(socket, verifier, call)
      result = fresh
      verified.set(socket, { leaf: new Uint8Array(raw), chain, expiresAt: fresh.expiresAt })
    }
    // A matcher of the caller's that throws denies (coded, fail closed) instead of letting an
    // uncoded error out of the authoriser.
    let allowed: unknown
    let cause: unknown
    try {
      allowed = authorize(result.id)
    } catch (err) {
      cause = err
    }
    if (allowed !== true) {
      const reason = 'the peer workload is not allowed'
      throw new VerificationError('ERR_POLICY_DENIED', `${reason}: ${result.id.id}`, { reason, cause })
    }
    return result
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
