// What the HTTP benchmark's client and server processes agree on: variants, the public origin the
// proofs are made for, and the server's start-up configuration (passed in an environment variable).
import type { PublicJWK } from '../../src/signer/index.js'

export type Alg = 'ES256' | 'EdDSA'

/**
 * - `plain`: node:http answering the JSON body, no verification (the reference).
 * - `adapter`: the same behind createNodeHandler with a verifier that does nothing (adapter cost only).
 * - `wpt` / `httpsig`: createNodeHandler + createRequestVerifier (nodeCrypto, memory replay cache).
 * - `wpt-direct` / `httpsig-direct`: the same verifier through verifyIncomingMessage (which reads
 *   the IncomingMessage directly, no fetch Request), answering with res.end like
 *   `plain` (no fetch Response built, no sendWebResponse): isolates the response path's cost.
 * - `jose`: node:http + WIT/WPT checks composed from jose calls on every request.
 */
export type Variant = 'plain' | 'adapter' | 'wpt' | 'wpt-direct' | 'httpsig' | 'httpsig-direct' | 'jose'

export const ORIGIN = 'https://api.example.com'
export const PATH = '/tools/search?q=weather'
export const AUDIENCE = `${ORIGIN}/tools/search`
export const TRUST_DOMAIN = 'example.org'
export const BODY = '{"ok":true}'
export const CONFIG_ENV = 'BENCH_HTTP_SERVER'

export interface ServerConfig {
  readonly variant: Variant
  readonly issuerJwk: PublicJWK
  /** Capacity of the replay cache (memory cache / jose's Set is unbounded): above the pool size. */
  readonly replayEntries: number
}

/** Which proof headers a variant's requests carry. */
export function proofOf(variant: Variant): 'wpt' | 'httpsig' {
  return variant === 'httpsig' || variant === 'httpsig-direct' ? 'httpsig' : 'wpt'
}
