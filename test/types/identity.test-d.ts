// Public types of workload identity: the Signer contract, identifiers and matchers, and WITs.
import { describe, expectTypeOf, it } from 'vitest'
import {
  isWorkloadIdentifier,
  matchAny,
  matchId,
  matchPathPrefix,
  matchPredicate,
  matchTrustDomain,
  parseWorkloadIdentifier,
  type IdentifierMatcher,
  type WorkloadIdentifier,
} from '../../src/identifier/index.js'
import { createJWKSigner, generateSigner, type JWSAlgorithm, type PublicJWK, type Signer } from '../../src/signer/index.js'
import { createWIT, createWITVerifier, decodeWIT, verifyWIT, type VerifiedWIT, type WITClaims, type WITSource, type WITVerifier } from '../../src/wit/index.js'

declare const signer: Signer
declare const token: string

describe('Signer', () => {
  it('is a small async contract: alg, optional kid, publicJwk(), sign(bytes)', () => {
    expectTypeOf<Signer['alg']>().toEqualTypeOf<JWSAlgorithm>()
    expectTypeOf<Signer['kid']>().toEqualTypeOf<string | undefined>()
    expectTypeOf(signer.publicJwk).returns.resolves.toEqualTypeOf<PublicJWK>()
    expectTypeOf(signer.sign).parameter(0).toEqualTypeOf<Uint8Array>()
    expectTypeOf(signer.sign).returns.resolves.toEqualTypeOf<Uint8Array>()
  })

  it('is implementable by hand (a KMS or broker signer)', () => {
    const kms: Signer = {
      alg: 'ES256',
      kid: 'kms-key-1',
      publicJwk: async () => ({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', alg: 'ES256' }),
      sign: async (input, options) => {
        options?.signal?.throwIfAborted()
        return input
      },
    }
    expectTypeOf(kms).toExtend<Signer>()
    // @ts-expect-error the algorithm is a known JOSE name, not any string
    const bad: Signer = { ...kms, alg: 'HS256' }
    void bad
  })

  it('generateSigner only exposes the private key when asked for an extractable key', async () => {
    expectTypeOf(generateSigner).toBeCallableWith('EdDSA')
    const exportable = await generateSigner('ES256', { extractable: true })
    expectTypeOf(exportable.exportPrivateJwk).returns.resolves.toEqualTypeOf<JsonWebKey>()
    const plain = await generateSigner('ES256')
    expectTypeOf(plain).toEqualTypeOf<Signer>()
    expectTypeOf(plain).not.toHaveProperty('exportPrivateJwk')
    expectTypeOf(createJWKSigner).returns.resolves.toEqualTypeOf<Signer>()
  })
})

describe('identifiers and matchers', () => {
  it('parses into a read-only WorkloadIdentifier', () => {
    expectTypeOf(parseWorkloadIdentifier).returns.toEqualTypeOf<WorkloadIdentifier>()
    expectTypeOf<WorkloadIdentifier>().toEqualTypeOf<{ readonly id: string; readonly scheme: string; readonly trustDomain: string; readonly path: string; readonly origin: string }>()
    // A validity check for strings (not a type guard): untrusted input stays a string.
    expectTypeOf(isWorkloadIdentifier).returns.toBeBoolean()
  })

  it('matchers are plain predicates over identifiers', () => {
    expectTypeOf<IdentifierMatcher>().toEqualTypeOf<(id: WorkloadIdentifier) => boolean>()
    expectTypeOf(matchAny()).toEqualTypeOf<IdentifierMatcher>()
    expectTypeOf(matchTrustDomain).toBeCallableWith('example.org', 'partner.example')
    expectTypeOf(matchPathPrefix('spiffe://example.org', '/agents/')).toEqualTypeOf<IdentifierMatcher>()
    expectTypeOf(matchPredicate((id) => id.path.startsWith('/agents/'))).toEqualTypeOf<IdentifierMatcher>()
    // @ts-expect-error matchId takes identifier strings, not parsed identifiers
    matchId(parseWorkloadIdentifier('spiffe://example.org/a'))
  })
})

describe('WIT', () => {
  it('VerifiedWIT carries the token, claims, identity and the bound key', () => {
    expectTypeOf<Pick<VerifiedWIT, 'token' | 'id' | 'trustDomain' | 'proofAlgorithm' | 'issuerKid'>>().toEqualTypeOf<{
      readonly token: string
      readonly id: string
      readonly trustDomain: string
      readonly proofAlgorithm: JWSAlgorithm
      readonly issuerKid: string | undefined
    }>()
    expectTypeOf<VerifiedWIT['claims']>().toEqualTypeOf<WITClaims>()
    expectTypeOf<VerifiedWIT['key']>().toEqualTypeOf<PublicJWK & { readonly alg: JWSAlgorithm }>()
    expectTypeOf<WITClaims['cnf']['jwk']['alg']>().toEqualTypeOf<JWSAlgorithm>()
    expectTypeOf<WITClaims['exp']>().toBeNumber()
  })

  it('creates, verifies and decodes with the documented signatures', () => {
    expectTypeOf(createWIT).returns.resolves.toBeString()
    expectTypeOf(verifyWIT).returns.resolves.toEqualTypeOf<VerifiedWIT>()
    expectTypeOf(createWITVerifier).returns.toEqualTypeOf<WITVerifier>()
    expectTypeOf<WITVerifier>().toEqualTypeOf<(token: string) => Promise<VerifiedWIT>>()
    expectTypeOf<Pick<ReturnType<typeof decodeWIT>, 'id' | 'trustDomain'>>().toEqualTypeOf<{ readonly id: string; readonly trustDomain: string }>()
    expectTypeOf<WITSource['getWIT']>().returns.resolves.toHaveProperty('token').toBeString()
    // @ts-expect-error verifyWIT needs its options (trust bundles), there is no trust-by-default
    verifyWIT(token)
  })
})
