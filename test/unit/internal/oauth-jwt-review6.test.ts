// Review round 6: the OAuth JWT verifier (access tokens, assertions, Txn-Tokens) compares
// fractional NumericDates (RFC 7519 §2) with the exact time, not the time floored to seconds.
import { describe, expect, it } from 'vitest'
import { verifyJWT, type VerifyJWTOptions } from '../../../src/internal/oauth-jwt.js'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'

const NOW = 1_800_000_000
const at = (seconds: number) => (): number => Math.round(seconds * 1000)

describe('verifyJWT with fractional time claims (clockTolerance 0)', () => {
  it('exp, nbf and the token age compare with the exact time', async () => {
    const signer = await generateSigner('ES256', { kid: 'k' })
    const options: VerifyJWTOptions = { keys: [await signer.publicJwk()], required: ['exp'], maxBytes: 8192, code: 'ERR_ACCESS_TOKEN_INVALID', what: 'token' }
    const expiring = await createCompactJWS({ typ: 'JWT' }, { exp: NOW + 0.5 }, signer)
    await expect(verifyJWT(expiring, { ...options, clock: at(NOW + 0.7) })).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
    await expect(verifyJWT(expiring, { ...options, clock: at(NOW + 0.3) })).resolves.toMatchObject({ alg: 'ES256' })
    const starting = await createCompactJWS({ typ: 'JWT' }, { exp: NOW + 60, nbf: NOW + 0.5 }, signer)
    await expect(verifyJWT(starting, { ...options, clock: at(NOW + 0.7) })).resolves.toMatchObject({ alg: 'ES256' })
    await expect(verifyJWT(starting, { ...options, clock: at(NOW + 0.3) })).rejects.toMatchObject({ code: 'ERR_TOKEN_NOT_YET_VALID' })
    const old = await createCompactJWS({ typ: 'JWT' }, { exp: NOW + 60, iat: NOW - 10 }, signer)
    await expect(verifyJWT(old, { ...options, maxTokenAge: 10, clock: at(NOW + 0.5) })).rejects.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' })
    await expect(verifyJWT(old, { ...options, maxTokenAge: 10, clock: at(NOW) })).resolves.toMatchObject({ alg: 'ES256' })
  })
})
