import { describe, expect, it } from 'vitest'
import {
  AgentAuthError,
  ERROR_CODES,
  ProtocolError,
  SignerError,
  StoreError,
  VerificationError,
  categoryOf,
  codedTypeError,
  isAgentAuthError,
} from '../../../src/errors/index.js'

describe('errors', () => {
  it('carries code, status, reason and claim', () => {
    const e = new VerificationError('ERR_WIT_EXPIRED', 'WIT expired', { claim: 'exp' })
    expect(e.code).toBe('ERR_WIT_EXPIRED')
    expect(e.status).toBe(400)
    expect(e.reason).toBe('WIT expired')
    expect(e.claim).toBe('exp')
    expect(e.name).toBe('VerificationError')
    expect(e).toBeInstanceOf(Error)
    expect(e).toBeInstanceOf(AgentAuthError)
    expect(e).toBeInstanceOf(VerificationError)
    expect(e).not.toBeInstanceOf(StoreError)
    expect(isAgentAuthError(e)).toBe(true)
    expect(JSON.parse(JSON.stringify(e))).toEqual({ name: 'VerificationError', code: 'ERR_WIT_EXPIRED', message: 'WIT expired' })
  })

  it('uses the default status of the code and allows overriding it', () => {
    expect(new VerificationError('ERR_POLICY_DENIED', 'no').status).toBe(403)
    expect(new VerificationError('ERR_PROOF_REPLAYED', 'again').status).toBe(401)
    expect(new VerificationError('ERR_WIT_INVALID', 'x', { status: 401 }).status).toBe(401)
  })

  it('brand survives a duplicate copy of the package (structural check)', () => {
    // Simulate an error created by another copy: same Symbol.for brand, different class identity.
    const foreign = Object.assign(new Error('x'), { code: 'ERR_STORE_UNAVAILABLE' })
    Object.defineProperty(foreign, Symbol.for('agentauth.error'), { value: true })
    Object.defineProperty(foreign, Symbol.for('agentauth.error.category'), { value: 'store' })
    expect(foreign instanceof StoreError).toBe(true)
    expect(foreign instanceof AgentAuthError).toBe(true)
    expect(foreign instanceof VerificationError).toBe(false)
    expect(isAgentAuthError(foreign)).toBe(true)
    expect(isAgentAuthError(new Error('plain'))).toBe(false)
    expect(isAgentAuthError(null)).toBe(false)
  })

  it('has the other categories', () => {
    const p = new ProtocolError('ERR_OAUTH_ERROR', 'as said no', { status: 400, error: 'invalid_target', errorDescription: 'nope' })
    expect([p.status, p.error, p.errorDescription]).toEqual([400, 'invalid_target', 'nope'])
    expect(new StoreError('ERR_STORE_UNAVAILABLE', 'down').status).toBe(503)
    expect(new SignerError('ERR_SIGNER_FAILED', 'kms')).toBeInstanceOf(SignerError)
    const cause = new Error('inner')
    expect(new SignerError('ERR_SIGNER_FAILED', 'kms', { cause }).cause).toBe(cause)
  })

  it('codedTypeError is a TypeError with a code', () => {
    const e = codedTypeError('ERR_INVALID_ARG_VALUE', 'bad')
    expect(e).toBeInstanceOf(TypeError)
    expect(e.code).toBe('ERR_INVALID_ARG_VALUE')
    expect(isAgentAuthError(e)).toBe(false)
  })

  it('every code is ERR_ upper snake case and has a known category', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^ERR_[A-Z0-9_]+$/)
      expect(['argument', 'verification', 'protocol', 'store', 'signer']).toContain(info.category)
      expect(categoryOf(code as keyof typeof ERROR_CODES)).toBe(info.category)
    }
  })
})
