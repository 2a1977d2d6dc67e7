// Test helpers for the wit module: issuers, workload keys and a raw token forger that signs any
// header/payload bytes (so malformed-but-correctly-signed tokens reach the later checks).
import { staticTrustBundles } from '../../src/bundle/index.js'
import { encode } from '../../src/internal/base64url.js'
import { ascii, utf8 } from '../../src/internal/bytes.js'
import type { JWSAlgorithm } from '../../src/signer/algorithms.js'
import { generateSigner } from '../../src/signer/index.js'
import type { PublicJWK, Signer } from '../../src/signer/types.js'

export const NOW = 1_800_000_000
export const clockAt = (seconds: number) => (): number => seconds * 1000
export const TD = 'example.org'
export const SUB = 'wimse://example.org/payments/api'

export interface TestIssuer {
  signer: Signer
  jwk: PublicJWK
}

export async function issuer(alg: JWSAlgorithm = 'ES256', kid: string | undefined = 'issuer-1'): Promise<TestIssuer> {
  const signer = await generateSigner(alg, kid === undefined ? {} : { kid })
  return { signer, jwk: await signer.publicJwk() }
}

export async function workloadJwk(alg: JWSAlgorithm = 'ES256'): Promise<PublicJWK> {
  return (await generateSigner(alg)).publicJwk()
}

export function bundlesFor(...entries: [string, PublicJWK[] | { keys: PublicJWK[]; issuers?: string[] }][]) {
  return staticTrustBundles(Object.fromEntries(entries))
}

/** base64url of a JSON value or of a raw string/bytes (raw strings allow duplicate keys and broken JSON). */
export function part(value: unknown): string {
  if (value instanceof Uint8Array) return encode(value)
  if (typeof value === 'string') return encode(utf8(value))
  return encode(utf8(JSON.stringify(value)))
}

/** Signs `header.payload` (both given raw or as JSON values) with `signer`, whatever they contain. */
export async function forge(header: unknown, payload: unknown, signer: Signer): Promise<string> {
  const input = `${part(header)}.${part(payload)}`
  return `${input}.${encode(await signer.sign(ascii(input)))}`
}

export function baseClaims(cnfJwk: PublicJWK, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: SUB, iat: NOW - 60, exp: NOW + 3540, jti: 'jti-1', cnf: { jwk: cnfJwk }, ...overrides }
}

export function baseHeader(signer: Signer, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { alg: signer.alg, ...(signer.kid ? { kid: signer.kid } : {}), typ: 'wit+jwt', ...overrides }
}
