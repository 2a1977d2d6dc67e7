// Test helpers for the httpsig module: RFC 9421 Appendix B keys as JWKs / CryptoKeys / Signers, a
// clock, and the B.2 test messages.
import { createPrivateKey, createPublicKey, type JsonWebKey as NodeJWK } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ALGORITHMS, type JWSAlgorithm } from '../../src/signer/algorithms.js'
import type { PublicJWK, Signer } from '../../src/signer/types.js'

const dataDir = fileURLToPath(new URL('../vectors/data/', import.meta.url))

export interface B2Case {
  id: string
  title?: string
  message: 'request' | 'response'
  alg: string
  keyid: string
  label: string
  signature_input: string
  signature: string
  signature_base: string
}

export const B = JSON.parse(readFileSync(dataDir + 'rfc9421-appendix-b.json', 'utf8')) as {
  test_request: { method: string; url: string; headers: [string, string][]; body: string }
  test_response: { status: number; headers: [string, string][]; body: string }
  keys: Record<string, { private_key_pem?: string; shared_secret_base64?: string }>
  cases: B2Case[]
}

export const DIGESTS = JSON.parse(readFileSync(dataDir + 'rfc9530-digests.json', 'utf8')) as {
  cases: { name: string; body: string; algorithm: 'sha-256' | 'sha-512'; expected: string; field_value: string }[]
}

export const clockAt = (seconds: number) => (): number => seconds * 1000

/** RFC 9421 test keys as private/public JWKs (the RSA-PSS key is unwrapped from its id-RSASSA-PSS PKCS#8). */
export function testKeyJwks(name: string): { privateJwk: NodeJWK; publicJwk: PublicJWK } {
  const pem = B.keys[name]?.private_key_pem
  if (pem === undefined) throw new Error(`no key ${name}`)
  let key = createPrivateKey(pem)
  if (key.asymmetricKeyType === 'rsa-pss') {
    const der = key.export({ format: 'der', type: 'pkcs8' })
    const tlv = (off: number) => {
      let len = der[off + 1]!
      let hdr = 2
      if (len & 0x80) {
        const n = len & 0x7f
        len = 0
        for (let i = 0; i < n; i++) len = len * 256 + der[off + 2 + i]!
        hdr = 2 + n
      }
      return { start: off + hdr, end: off + hdr + len }
    }
    const outer = tlv(0)
    const version = tlv(outer.start)
    const alg = tlv(version.end)
    const octets = tlv(alg.end)
    key = createPrivateKey({ key: der.subarray(octets.start, octets.end), format: 'der', type: 'pkcs1' })
  }
  const privateJwk = key.export({ format: 'jwk' })
  const publicJwk = createPublicKey(key).export({ format: 'jwk' }) as PublicJWK
  return { privateJwk, publicJwk }
}

export const SHARED_SECRET: Uint8Array = Uint8Array.from(Buffer.from(B.keys['test-shared-secret']!.shared_secret_base64!, 'base64'))

/** A Signer over a private JWK (test only; extractable keys are fine here). */
export async function jwkSigner(privateJwk: NodeJWK, alg: JWSAlgorithm, kid?: string): Promise<Signer> {
  const info = ALGORITHMS[alg]
  const key = await crypto.subtle.importKey('jwk', privateJwk as JsonWebKey, info.importParams, false, ['sign'])
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = privateJwk
  return {
    alg,
    kid,
    publicJwk: async () => ({ ...pub, alg }) as PublicJWK,
    sign: async (input: Uint8Array) => new Uint8Array(await crypto.subtle.sign(info.signParams, key, input as Uint8Array<ArrayBuffer>)),
  }
}

/** A fresh key pair for `alg` as a Signer plus its public JWK. */
export async function generated(alg: JWSAlgorithm): Promise<{ signer: Signer; jwk: PublicJWK }> {
  const info = ALGORITHMS[alg]
  const params = info.kty === 'RSA' ? { ...info.importParams, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) } : info.importParams
  const pair = (await crypto.subtle.generateKey(params as RsaHashedKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair
  const jwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as PublicJWK
  const signer: Signer = {
    alg,
    publicJwk: async () => jwk,
    sign: async (input: Uint8Array) => new Uint8Array(await crypto.subtle.sign(info.signParams, pair.privateKey, input as Uint8Array<ArrayBuffer>)),
  }
  return { signer, jwk }
}

/** The B.2 test request with the given extra header pairs. */
export function b2Request(extra: [string, string][] = []): { method: string; url: string; headers: [string, string][] } {
  return { method: B.test_request.method, url: B.test_request.url, headers: [...B.test_request.headers, ...extra] }
}

export function b2Response(extra: [string, string][] = []): { status: number; headers: [string, string][] } {
  return { status: B.test_response.status, headers: [...B.test_response.headers, ...extra] }
}

/** Splits "label=value" of a single-member field. */
export function memberValue(field: string): string {
  return field.slice(field.indexOf('=') + 1)
}
