// Public types of proof of possession: WPT options and results, RFC 9421 signature fields, and the
// WIMSE HTTP-signature profile.
import { describe, expectTypeOf, it } from 'vitest'
import {
  signRequest,
  verifyRequestSignature,
  type HTTPRequest,
  type SignatureHeaders,
  type SignOptions,
  type VerifiedSignature,
} from '../../src/httpsig/index.js'
import type { ReplayCache } from '../../src/stores/index.js'
import type { Signer } from '../../src/signer/index.js'
import { signWIMSERequest, verifyWIMSERequest, type VerifiedWIMSERequest, type WIMSESignatureFields } from '../../src/wimse-httpsig/index.js'
import type { VerifiedWIT } from '../../src/wit/index.js'
import { createWPT, verifyWPT, type CreateWPTOptions, type VerifiedWPT, type VerifyWPTOptions } from '../../src/wpt/index.js'

declare const signer: Signer
declare const wit: VerifiedWIT
declare const replayCache: ReplayCache

describe('WPT', () => {
  it('createWPT needs the WIT, its signer and the target URI; the rest is optional', () => {
    expectTypeOf(createWPT).parameter(0).toEqualTypeOf<CreateWPTOptions>()
    expectTypeOf(createWPT).returns.resolves.toBeString()
    expectTypeOf<CreateWPTOptions['uri']>().toEqualTypeOf<string | URL>()
    expectTypeOf(createWPT).toBeCallableWith({ wit: 'eyJ…', signer, uri: 'https://api.example.com/orders', accessToken: 'at', lifetime: 30 })
    // @ts-expect-error the signer is required: a WPT is signed with the WIT's key
    createWPT({ wit: 'eyJ…', uri: 'https://api.example.com/orders' })
    // @ts-expect-error the target URI is required (it becomes `aud`)
    createWPT({ wit: 'eyJ…', signer })
  })

  it('verifyWPT checks against an already verified WIT and returns a VerifiedWPT', () => {
    expectTypeOf<VerifyWPTOptions['wit']>().toEqualTypeOf<VerifiedWIT>()
    expectTypeOf<VerifyWPTOptions['replayCache']>().toEqualTypeOf<ReplayCache | undefined>()
    expectTypeOf(verifyWPT).toBeCallableWith('eyJ…', { wit, uri: new URL('https://api.example.com/orders'), method: 'POST', replayCache })
    expectTypeOf(verifyWPT).returns.resolves.toEqualTypeOf<VerifiedWPT>()
    expectTypeOf<Pick<VerifiedWPT, 'jti' | 'expiresAt' | 'audience' | 'wit' | 'otherTokens'>>().toEqualTypeOf<{ readonly jti: string; readonly expiresAt: number; readonly audience: string; readonly wit: VerifiedWIT; readonly otherTokens: readonly string[] }>()
    // @ts-expect-error a compact WIT string is not a verified WIT: verify it first
    verifyWPT('eyJ…', { wit: 'eyJ…', uri: 'https://api.example.com/' })
  })
})

describe('RFC 9421 HTTP message signatures', () => {
  it('signRequest returns the two field values to set', () => {
    expectTypeOf(signRequest).returns.resolves.toEqualTypeOf<SignatureHeaders>()
    expectTypeOf<SignatureHeaders>().toEqualTypeOf<{ readonly signatureInput: string; readonly signature: string }>()
    expectTypeOf(signRequest).parameter(0).toEqualTypeOf<HTTPRequest>()
    expectTypeOf(signRequest).toBeCallableWith(new Request('https://api.example.com/'), { signer, components: ['@method', '@target-uri'], nonce: true } satisfies SignOptions)
  })

  it('verifyRequestSignature resolves to the verified signature', () => {
    expectTypeOf(verifyRequestSignature).returns.resolves.toEqualTypeOf<VerifiedSignature>()
    expectTypeOf<VerifiedSignature['components']>().toEqualTypeOf<readonly string[]>()
  })
})

describe('WIMSE HTTP signatures', () => {
  it('signing gives headers ready to set; verifying names the caller', () => {
    expectTypeOf(signWIMSERequest).returns.resolves.toEqualTypeOf<WIMSESignatureFields>()
    expectTypeOf<WIMSESignatureFields['headers']>().toEqualTypeOf<Readonly<Record<string, string>>>()
    expectTypeOf(verifyWIMSERequest).returns.resolves.toEqualTypeOf<VerifiedWIMSERequest>()
    expectTypeOf<Pick<VerifiedWIMSERequest, 'id' | 'audience' | 'signResponse' | 'nonce'>>().toEqualTypeOf<{ readonly id: string; readonly audience: string; readonly signResponse: boolean; readonly nonce: string }>()
  })
})
