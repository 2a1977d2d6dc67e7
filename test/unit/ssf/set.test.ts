import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { decodeSET, toDeliveryError, verifySET } from '../../../src/ssf/index.js'
import { AUDIENCE, ISSUER, NOW, baseClaims, clockAt, mintSET, testKey, unsignedSET, verifyOptions } from '../../helpers/ssf.js'

const key = await testKey()
const other = await testKey('tx-1') // same kid, different key: a forgery

async function rejects(token: string, options: Record<string, unknown>, code: string, err?: string): Promise<void> {
  const e = await verifySET(token, { ...verifyOptions(key), ...options } as never).then(() => undefined, (x: unknown) => x)
  expect(e).toBeInstanceOf(VerificationError)
  expect((e as VerificationError).code).toBe(code)
  if (err !== undefined) expect(toDeliveryError(e).err).toBe(err)
}

describe('verifySET', () => {
  it('verifies a well-formed SSF SET and returns typed, frozen results', async () => {
    const token = await mintSET(key.signer, baseClaims({ txn: 't-1', toe: NOW - 10 }))
    const set = await verifySET(token, verifyOptions(key))
    expect(set.iss).toBe(ISSUER)
    expect(set.aud).toEqual([AUDIENCE])
    expect(set.txn).toBe('t-1')
    expect(set.toe).toBe(NOW - 10)
    expect(set.header).toMatchObject({ alg: 'ES256', typ: 'secevent+jwt', kid: 'tx-1' })
    expect(set.subject).toEqual({ format: 'uri', uri: 'spiffe://example.org/agent/7' })
    expect(set.event.type).toBe('session-revoked')
    expect(set.event.subject).toEqual(set.subject)
    expect(Object.isFrozen(set)).toBe(true)
    expect(Object.isFrozen(set.claims)).toBe(true)
    expect(Object.isFrozen(set.event.payload)).toBe(true)
  })

  it('compares exp and iat with the exact time, not the time rounded down to a second', async () => {
    const at = (s: number) => () => s * 1000
    const expiring = await mintSET(key.signer, baseClaims({ exp: NOW + 10.5 }))
    const rfc = { profile: 'rfc8417', clockTolerance: 0 }
    await expect(verifySET(expiring, { ...verifyOptions(key), ...rfc, clock: at(NOW + 10.2) } as never)).resolves.toBeDefined()
    await rejects(expiring, { ...rfc, clock: at(NOW + 10.7) }, 'ERR_TOKEN_EXPIRED')
    const early = await mintSET(key.signer, baseClaims({ iat: NOW + 0.5 }))
    await rejects(early, { clockTolerance: 0, clock: at(NOW + 0.2) }, 'ERR_TOKEN_NOT_YET_VALID')
    await expect(verifySET(early, { ...verifyOptions(key), clockTolerance: 0, clock: at(NOW + 0.6) })).resolves.toBeDefined()
  })

  it('accepts application/secevent+jwt as typ and an audience array containing ours', async () => {
    const token = await mintSET(key.signer, baseClaims({ aud: ['other', AUDIENCE] }), { typ: 'application/secevent+jwt' })
    await expect(verifySET(token, verifyOptions(key))).resolves.toMatchObject({ aud: ['other', AUDIENCE] })
  })

  it('refuses a forged SET (wrong key, same kid) with invalid_key', async () => {
    await rejects(await mintSET(other.signer), {}, 'ERR_JWS_SIGNATURE', 'invalid_key')
  })

  it('refuses a SET signed with an unknown kid with invalid_key', async () => {
    const stranger = await testKey('nope')
    await rejects(await mintSET(stranger.signer), {}, 'ERR_KEY_NOT_FOUND', 'invalid_key')
  })

  it('refuses unsigned SETs: alg none with invalid_key, an empty signature as malformed', async () => {
    const none = unsignedSET()
    await rejects(none, {}, 'ERR_SET_INVALID', 'invalid_request')
    await rejects(`${none}AAAA`, {}, 'ERR_ALG_NOT_ALLOWED', 'invalid_key')
  })

  it('refuses an algorithm outside the allow-list', async () => {
    await rejects(await mintSET(key.signer), { algorithms: ['EdDSA'] }, 'ERR_ALG_NOT_ALLOWED', 'invalid_key')
  })

  it('refuses wrong issuer and wrong audience with the RFC 8935 codes', async () => {
    await rejects(await mintSET(key.signer, baseClaims({ iss: 'https://evil.example' })), {}, 'ERR_SET_ISSUER', 'invalid_issuer')
    await rejects(await mintSET(key.signer, baseClaims({ aud: 'https://other.example' })), {}, 'ERR_SET_AUDIENCE', 'invalid_audience')
    await rejects(await mintSET(key.signer, baseClaims({ aud: undefined })), {}, 'ERR_SET_AUDIENCE', 'invalid_audience')
  })

  it('requires typ secevent+jwt', async () => {
    await rejects(await mintSET(key.signer, baseClaims(), { typ: 'JWT' }), {}, 'ERR_TYP_INVALID', 'invalid_request')
    await rejects(await mintSET(key.signer, baseClaims(), {}), {}, 'ERR_TYP_INVALID', 'invalid_request')
  })

  it('enforces the SSF profile: sub and exp forbidden, sub_id, iat, jti, events required', async () => {
    await rejects(await mintSET(key.signer, baseClaims({ sub: 'x' })), {}, 'ERR_SET_INVALID', 'invalid_request')
    await rejects(await mintSET(key.signer, baseClaims({ exp: NOW + 60 })), {}, 'ERR_SET_INVALID')
    await rejects(await mintSET(key.signer, baseClaims({ sub_id: undefined })), {}, 'ERR_SET_INVALID')
    await rejects(await mintSET(key.signer, baseClaims({ iat: undefined })), {}, 'ERR_SET_INVALID')
    await rejects(await mintSET(key.signer, baseClaims({ jti: undefined })), {}, 'ERR_SET_INVALID')
    await rejects(await mintSET(key.signer, baseClaims({ jti: '' })), {}, 'ERR_SET_INVALID')
    await rejects(await mintSET(key.signer, baseClaims({ events: undefined })), {}, 'ERR_SET_INVALID')
    await rejects(await mintSET(key.signer, baseClaims({ events: {} })), {}, 'ERR_SET_INVALID')
    await rejects(await mintSET(key.signer, baseClaims({ events: [] })), {}, 'ERR_SET_INVALID')
    await rejects(await mintSET(key.signer, baseClaims({ sub_id: { format: 'email', email: 'nope' } })), {}, 'ERR_SUBJECT_ID_INVALID', 'invalid_request')
  })

  it('accepts several events only as aliases when allowed', async () => {
    const events = {
      'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {},
      'https://example.com/event/session-ended': {},
    }
    const token = await mintSET(key.signer, baseClaims({ events }))
    await rejects(token, {}, 'ERR_SET_INVALID')
    const set = await verifySET(token, { ...verifyOptions(key), allowEventAliases: true })
    expect(set.events.map((e) => e.type)).toEqual(['session-revoked', 'unknown'])
  })

  it('refuses an iat in the future beyond the tolerance and SETs older than maxTokenAge', async () => {
    await rejects(await mintSET(key.signer, baseClaims({ iat: NOW + 120 })), {}, 'ERR_TOKEN_NOT_YET_VALID')
    await expect(verifySET(await mintSET(key.signer, baseClaims({ iat: NOW + 30 })), verifyOptions(key))).resolves.toBeDefined()
    await rejects(await mintSET(key.signer, baseClaims({ iat: NOW - 4000 })), { maxTokenAge: 3600 }, 'ERR_TOKEN_EXPIRED')
  })

  it('refuses oversized tokens before parsing', async () => {
    const token = await mintSET(key.signer, baseClaims({ pad: 'x'.repeat(70_000) }))
    await rejects(token, {}, 'ERR_INPUT_TOO_LARGE', 'invalid_request')
    await rejects(await mintSET(key.signer), { maxTokenBytes: 100 }, 'ERR_INPUT_TOO_LARGE')
  })

  it('refuses malformed tokens', async () => {
    for (const bad of ['', 'a.b', 'a.b.c.d', '!!!.???.***', 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA', 42 as unknown as string]) {
      await expect(verifySET(bad, verifyOptions(key))).rejects.toBeInstanceOf(VerificationError)
    }
    await rejects(await mintSET(key.signer, baseClaims(), { typ: 'secevent+jwt', kid: '' }), {}, 'ERR_SET_INVALID')
  })

  it('refuses a replayed SET with a replay cache', async () => {
    const replayCache = createMemoryReplayCache({ clock: clockAt(NOW) })
    const token = await mintSET(key.signer)
    await verifySET(token, { ...verifyOptions(key), replayCache })
    await rejects(token, { replayCache }, 'ERR_SET_REPLAYED', 'invalid_request')
  })

  it('keeps a jti claimed through the last second in which the SET is still accepted', async () => {
    let ms = NOW * 1000
    const clock = (): number => ms
    const replayCache = createMemoryReplayCache({ clock })
    const options = { ...verifyOptions(key), clock, replayCache, maxTokenAge: 300, clockTolerance: 60 }
    const token = await mintSET(key.signer, baseClaims({ iat: NOW }))
    await verifySET(token, options)
    ms = (NOW + 360) * 1000 // now - iat = maxTokenAge + clockTolerance: still accepted
    await expect(verifySET(token, options)).rejects.toMatchObject({ code: 'ERR_SET_REPLAYED' })
    ms = (NOW + 360) * 1000 + 1 // the exact time is compared: a millisecond later it is too old
    await expect(verifySET(token, options)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
  })

  it('resolves keys from a resolver function and a trust-bundle source', async () => {
    const token = await mintSET(key.signer)
    await expect(verifySET(token, { ...verifyOptions(key), keys: ({ kid }) => (kid === 'tx-1' ? key.jwk : undefined) })).resolves.toBeDefined()
    await rejects(token, { keys: () => undefined }, 'ERR_KEY_NOT_FOUND', 'invalid_key')
    const source = { getBundle: async (td: string) => (td === 'idp.example.com' ? { trustDomain: td, keys: [key.jwk] } : undefined) }
    await expect(verifySET(token, { ...verifyOptions(key), keys: source })).resolves.toBeDefined()
  })

  it('validates options at call time with coded TypeErrors', async () => {
    const token = await mintSET(key.signer)
    for (const bad of [{ issuer: '' }, { audience: [] }, { keys: 5 }, { algorithms: ['none'] }, { clockTolerance: Number.NaN }, { maxTokenAge: Infinity }]) {
      await expect(verifySET(token, { ...verifyOptions(key), ...bad } as never)).rejects.toMatchObject({ name: 'TypeError', code: expect.stringMatching(/^ERR_INVALID_ARG_/) })
    }
  })
})

describe('decodeSET', () => {
  it('decodes without checking signature, issuer or audience', async () => {
    const stranger = await testKey('x')
    const set = decodeSET(await mintSET(stranger.signer, baseClaims({ iss: 'https://anyone', aud: 'someone' })))
    expect(set.iss).toBe('https://anyone')
    expect(set.event.type).toBe('session-revoked')
  })

  it('still enforces structure and profile', async () => {
    expect(() => decodeSET('nope')).toThrow(VerificationError)
    expect(() => decodeSET(unsignedSET(baseClaims({ sub: 'x' })) + 'AAAA')).toThrow(/sub/)
    expect(decodeSET(unsignedSET(baseClaims({ sub: 'x', sub_id: undefined })) + 'AAAA', { profile: 'rfc8417' }).subject).toBeUndefined()
  })
})
