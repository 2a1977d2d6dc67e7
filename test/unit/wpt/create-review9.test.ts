import { describe, expect, it } from 'vitest'
import { SignerError } from '../../../src/errors/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'
import { createWPT } from '../../../src/wpt/index.js'

describe('createWPT: a failing random source (review 9)', () => {
  it('getRandomValues throwing or returning no array is a coded SignerError, never a bare Error/TypeError', async () => {
    const issuer = await generateSigner('ES256', { kid: 'k' })
    const workload = await generateSigner('EdDSA')
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workload.publicJwk() }, { signer: issuer })
    const boom = new Error('no entropy')
    const throwing = { subtle: globalThis.crypto.subtle, getRandomValues: () => { throw boom } } as unknown as Crypto
    const err = await createWPT({ wit, signer: workload, uri: 'https://api.example/x', crypto: throwing }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SignerError)
    expect(err).toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: boom })

    const filling = { subtle: globalThis.crypto.subtle, getRandomValues: (a: Uint8Array<ArrayBuffer>) => { globalThis.crypto.getRandomValues(a); return undefined } } as unknown as Crypto
    const wpt = await createWPT({ wit, signer: workload, uri: 'https://api.example/x', crypto: filling })
    const payload = JSON.parse(Buffer.from(wpt.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })
})

describe('createWPT: the workload key is not used after the WIT expires (review 9, wpt §3.2)', () => {
  it('refuses at exp with ERR_WIT_EXPIRED and signs one millisecond before', async () => {
    const issuer = await generateSigner('ES256', { kid: 'k' })
    const workload = await generateSigner('EdDSA')
    const iat = 1_800_000_000
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workload.publicJwk(), iat, lifetime: 600 }, { signer: issuer })
    let signed = 0
    const counting = { alg: workload.alg, publicJwk: () => workload.publicJwk(), sign: (i: Uint8Array) => { signed++; return workload.sign(i) } }
    const before = await createWPT({ wit, signer: counting, uri: 'https://api.example/x', clock: () => (iat + 600) * 1000 - 1 })
    expect(before.split('.')).toHaveLength(3)
    expect(signed).toBe(1)
    const err = await createWPT({ wit, signer: counting, uri: 'https://api.example/x', clock: () => (iat + 600) * 1000 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'VerificationError', code: 'ERR_WIT_EXPIRED' })
    expect(signed).toBe(1)
  })
})
