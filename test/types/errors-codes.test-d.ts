// Each error class carries only its own category's codes, so `switch (err.code)` after an
// `instanceof` check is exhaustive and a wrong code is a compile error.
import { describe, expectTypeOf, it } from 'vitest'
import {
  AgentAuthError,
  ProtocolError,
  SignerError,
  StoreError,
  VerificationError,
  categoryOf,
  codedTypeError,
  type AnyAgentAuthError,
  type ArgumentErrorCode,
  type CodedTypeError,
  type ErrorCategory,
  type ErrorCode,
  type ProtocolErrorCode,
  type SignerErrorCode,
  type StoreErrorCode,
  type VerificationErrorCode,
} from '../../src/errors/index.js'

describe('error code unions per class', () => {
  it('each class exposes its own code union', () => {
    expectTypeOf<StoreError['code']>().toEqualTypeOf<StoreErrorCode>()
    expectTypeOf<StoreErrorCode>().toEqualTypeOf<'ERR_STORE_UNAVAILABLE' | 'ERR_STORE_FULL'>()
    expectTypeOf<SignerError['code']>().toEqualTypeOf<SignerErrorCode>()
    expectTypeOf<'ERR_SIGNER_REFUSED' | 'ERR_SIGNER_RATE_LIMITED'>().toExtend<SignerErrorCode>()
    expectTypeOf<ProtocolError['code']>().toEqualTypeOf<ProtocolErrorCode>()
    expectTypeOf<'ERR_TOKEN_EXCHANGE_FAILED' | 'ERR_BUNDLE_FETCH'>().toExtend<ProtocolErrorCode>()
    expectTypeOf<AgentAuthError['code']>().toEqualTypeOf<ErrorCode>()
    expectTypeOf<ArgumentErrorCode>().toEqualTypeOf<'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE'>()
    expectTypeOf<StoreError['status']>().toEqualTypeOf<503>()
    expectTypeOf<ProtocolError['status']>().toEqualTypeOf<number | undefined>()
  })

  it('the category unions do not overlap', () => {
    expectTypeOf<Extract<StoreErrorCode, VerificationErrorCode>>().toBeNever()
    expectTypeOf<Extract<ProtocolErrorCode, SignerErrorCode>>().toBeNever()
    expectTypeOf<Extract<ArgumentErrorCode, VerificationErrorCode | ProtocolErrorCode | StoreErrorCode | SignerErrorCode>>().toBeNever()
    expectTypeOf<VerificationErrorCode | ProtocolErrorCode | StoreErrorCode | SignerErrorCode | ArgumentErrorCode>().toEqualTypeOf<ErrorCode>()
  })

  it('a constructor refuses another category’s code', () => {
    new StoreError('ERR_STORE_FULL', 'full')
    // @ts-expect-error a verification code is not a store code
    new StoreError('ERR_WIT_EXPIRED', 'x')
    // @ts-expect-error a store code is not a signer code
    new SignerError('ERR_STORE_UNAVAILABLE', 'x')
    // @ts-expect-error a signer code is not a protocol code
    new ProtocolError('ERR_SIGNER_FAILED', 'x')
    // @ts-expect-error argument codes belong to coded TypeErrors only
    new VerificationError('ERR_INVALID_ARG_VALUE', 'x')
    // @ts-expect-error codedTypeError takes argument codes only
    codedTypeError('ERR_WIT_INVALID', 'x')
  })

  it('narrowing the union by code reaches the right class', () => {
    const err = {} as AnyAgentAuthError
    if (err.code === 'ERR_STORE_UNAVAILABLE') expectTypeOf(err).toEqualTypeOf<StoreError>()
    if (err.code === 'ERR_SIGNER_REFUSED') expectTypeOf(err).toEqualTypeOf<SignerError>()
    if (err instanceof ProtocolError) expectTypeOf(err.error).toEqualTypeOf<string | undefined>()
    expectTypeOf(codedTypeError('ERR_INVALID_ARG_TYPE', 'x')).toEqualTypeOf<CodedTypeError>()
    expectTypeOf(categoryOf).returns.toEqualTypeOf<ErrorCategory>()
  })
})
