import { describe, expectTypeOf, it } from 'vitest'
import { VerificationError, isAgentAuthError, type AnyAgentAuthError, type ErrorCode, type VerificationErrorCode } from '../../src/errors/index.js'

describe('error types', () => {
  it('narrows by class and code', () => {
    const err: unknown = new VerificationError('ERR_WIT_EXPIRED', 'x')
    if (isAgentAuthError(err)) expectTypeOf(err).toEqualTypeOf<AnyAgentAuthError>()
    if (err instanceof VerificationError) {
      expectTypeOf(err.code).toEqualTypeOf<VerificationErrorCode>()
      expectTypeOf(err.status).toEqualTypeOf<400 | 401 | 403 | 413>()
    }
    expectTypeOf<'ERR_PROOF_REPLAYED'>().toMatchTypeOf<ErrorCode>()
    // @ts-expect-error a store code is not a verification code
    new VerificationError('ERR_STORE_UNAVAILABLE', 'x')
  })
})
