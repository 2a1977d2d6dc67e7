/**
 * Node.js glue for agentauth: convert an `IncomingMessage` into a fetch `Request` (streaming body,
 * byte limit enforced while streaming, forwarded headers ignored unless trusted), verify it, write a
 * fetch `Response` back without buffering (server-sent events keep flowing), a ready `node:http`
 * listener, and `nodeCrypto()` — Web Crypto whose verify/sign/digest run synchronously on
 * `node:crypto`.
 *
 * Every framework adapter for Node (express, fastify) is built from these pieces; none verifies
 * anything itself — that is `createRequestVerifier` from `agentauth/server`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createNodeHandler, nodeCrypto } from 'agentauth/adapters/node'
 * import { createRequestVerifier } from 'agentauth/server'
 * import { matchTrustDomain } from 'agentauth/identifier'
 *
 * const verify = createRequestVerifier({
 *   trustBundles, origin: 'https://api.example.com', proof: 'either',
 *   authorize: matchTrustDomain('example.org'), crypto: nodeCrypto(),
 * })
 * createServer(createNodeHandler(verify, (request, caller) => Response.json({ hello: caller.workload.id })))
 *   .listen(8080)
 * ```
 *
 * Reachable from `agentauth/adapters/node`.
 *
 * @module adapters/node
 */
export { nodeCrypto } from './crypto.js'
export {
  createNodeHandler,
  verifyIncomingMessage,
  type NodeHandlerOptions,
  type NodeRequestListener,
  type VerifiedHandler,
  type VerifiedIncomingMessage,
} from './handler.js'
export { toWebRequest, type ToWebRequestOptions } from './web-request.js'
export { sendWebResponse } from './web-response.js'
export { createPeerAuthorizer, peerCertificateChain, verifyPeerCertificate, type PeerAuthorizerOptions } from './mtls.js'
