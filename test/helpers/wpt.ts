// Test helpers for the wpt and wimse-httpsig suites: draft vectors, signers from published JWKs,
// throw-away WITs and VerifiedWIT objects, a tiny replay cache with an injected clock.
import { readFileSync } from 'node:fs'
import { staticTrustBundles } from '../../src/bundle/index.js'
import { createJWKSigner, generateSigner, type Signer } from '../../src/signer/index.js'
import { createWIT, verifyWIT } from '../../src/wit/index.js'
import type { JWSAlgorithm } from '../../src/signer/algorithms.js'
import type { ReplayCache } from '../../src/stores/types.js'
import type { VerifiedWIT } from '../../src/wit/types.js'

export const vectors = JSON.parse(readFileSync(new URL('../vectors/data/wimse-draft-examples.json', import.meta.url), 'utf8')) as WimseVectors

export interface WimseVectors {
  wit_wpt_example: {
    clock: { suggested_verification_time: number; wpt_exp: number; wit_exp: number; wit_iat: number }
    wit: string
    wpt: string
    wpt_claims_decoded: Record<string, unknown>
    access_token: string
    identity_server_key_public_jwk: Record<string, string>
    workload_key_private_jwk: Record<string, string>
    wpt_request: { method: string; url: string; headers: [string, string][]; body: string }
    derived_expected: { wth: string; ath: string }
  }
  http_signature_example: {
    clock: { suggested_verification_time: number }
    caller_svc_a_private_jwk: Record<string, string>
    callee_svc_b_private_jwk: Record<string, string>
    request: { method: string; url: string; headers: [string, string][]; body: string }
    response: { status: number; headers: [string, string][]; body: string }
    derived_signature_base_request: string
    derived_signature_base_response: string
  }
}

/** A signer for a published private JWK (the draft examples publish theirs). */
export function signerFromJWK(jwk: Record<string, string>, alg: JWSAlgorithm): Promise<Signer> {
  const { kid: _kid, alg: _alg, ...rest } = jwk
  return createJWKSigner({ privateJwk: rest as JsonWebKey, alg })
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
}

/**
 * A VerifiedWIT built from a WIT *without verifying its issuer signature* — for vectors whose
 * issuer key is unpublished and for unit tests of the proof layer. Production code uses verifyWIT.
 */
export function verifiedWITFromToken(token: string): VerifiedWIT {
  const [h, p] = token.split('.') as [string, string]
  const header = decodePart(h)
  const claims = decodePart(p) as Record<string, unknown> & { sub: string; cnf: { jwk: Record<string, unknown> & { alg: JWSAlgorithm } } }
  const key = Object.freeze({ ...claims.cnf.jwk })
  return Object.freeze({
    token,
    header: header as never,
    claims: claims as never,
    id: claims.sub,
    trustDomain: new URL(claims.sub).host,
    key: key as never,
    proofAlgorithm: key.alg,
    issuerKid: typeof header.kid === 'string' ? header.kid : undefined,
  })
}

export interface Workload {
  signer: Signer
  wit: string
  verified: VerifiedWIT
}

let issuer: Promise<Signer> | undefined

/**
 * A fresh workload: key pair of `alg`, a WIT for `sub` (trust domain example.com) issued with
 * createWIT by a throw-away issuer, and its VerifiedWIT from verifyWIT at `now`.
 */
export async function makeWorkload(options: { alg?: JWSAlgorithm; sub?: string; now?: number; lifetime?: number } = {}): Promise<Workload> {
  const alg = options.alg ?? 'EdDSA'
  const signer = await generateSigner(alg)
  issuer ??= generateSigner('ES256', { kid: 'test-issuer' })
  const issuerSigner = await issuer
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const wit = await createWIT(
    { sub: options.sub ?? 'wimse://example.com/caller', publicJwk: { ...(await signer.publicJwk()), alg }, iat: now, lifetime: options.lifetime ?? 3600 },
    { signer: issuerSigner, clock: at(now) },
  )
  const trustBundles = staticTrustBundles({ 'example.com': [await issuerSigner.publicJwk()] })
  return { signer, wit, verified: await verifyWIT(wit, { trustBundles, clock: at(now) }) }
}

/** Minimal atomic replay cache with an injected clock (ms). Records every key it saw. */
export function testReplayCache(clock: () => number = Date.now): ReplayCache & { keys: Map<string, number> } {
  const keys = new Map<string, number>()
  return {
    keys,
    async claim(key: string, expiresAt: number) {
      const now = clock() / 1000
      const held = keys.get(key)
      if (held !== undefined && held > now) return false
      keys.set(key, expiresAt)
      return true
    },
  }
}

/** Clock for an epoch-seconds instant. */
export const at = (seconds: number): (() => number) => () => seconds * 1000
