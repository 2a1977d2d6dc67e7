// Test signers and JWT helpers for the OAuth modules (kept separate from the signer module's own
// helpers, which another module owns).
import { exportJWK, jwtVerify, decodeProtectedHeader, type JWK } from 'jose'
import { ALGORITHMS, type JWSAlgorithm } from '../../src/signer/algorithms.js'
import type { PublicJWK, Signer } from '../../src/signer/types.js'

export interface TestSigner extends Signer {
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  readonly jwk: PublicJWK & { alg: string }
}

let counter = 0

/** Generates a non-extractable key pair and a Signer over it (JOSE-form signatures). */
export async function oauthTestSigner(alg: JWSAlgorithm = 'ES256', kidOrNull: string | null = `k${++counter}`): Promise<TestSigner> {
  const kid = kidOrNull ?? undefined
  const info = ALGORITHMS[alg]
  const params =
    info.kty === 'RSA'
      ? { ...(info.importParams as RsaHashedImportParams), modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }
      : info.importParams
  const pair = (await crypto.subtle.generateKey(params as EcKeyGenParams, false, ['sign', 'verify'])) as CryptoKeyPair
  const exported = (await exportJWK(pair.publicKey)) as JWK
  const jwk = { ...exported, alg, ...(kid === undefined ? {} : { kid }) } as PublicJWK & { alg: string }
  return {
    alg,
    kid,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    jwk,
    async publicJwk() {
      return jwk
    },
    async sign(input: Uint8Array) {
      return new Uint8Array(await crypto.subtle.sign(info.signParams, pair.privateKey, input as Uint8Array<ArrayBuffer>))
    },
  }
}

/** Decodes a compact JWT without verifying (tests only). */
export function decodeJWT(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.')
  const dec = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>
  return { header: dec(h!), payload: dec(p!) }
}

/** Verifies a token with jose (an independent implementation) and returns its header and claims. */
export async function joseVerify(token: string, signer: TestSigner, options: Parameters<typeof jwtVerify>[2] = {}) {
  void decodeProtectedHeader
  return jwtVerify(token, signer.publicKey, { algorithms: [signer.alg], ...options })
}

/** A fixed clock (ms) that tests can move. */
export function testClock(startSeconds = 1_800_000_000): { now: () => number; advance: (s: number) => void; seconds: () => number } {
  let t = startSeconds * 1000
  return { now: () => t, advance: (s) => (t += s * 1000), seconds: () => Math.floor(t / 1000) }
}
