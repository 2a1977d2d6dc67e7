// Review round 8: a signer failing with an error of its own (a KMS SDK error, a socket error)
// makes createCompactJWS — and so createWIT, createWPT and every minter — throw SignerError
// ERR_SIGNER_FAILED with that error as cause; the raw, uncoded error came out before.
import { describe, expect, it } from 'vitest'
import { SignerError } from '../../../src/errors/index.js'
import { createCompactJWS, generateSigner, type Signer } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'
import { createWPT } from '../../../src/wpt/index.js'

describe('createCompactJWS and failing signers', async () => {
  const good = await generateSigner('ES256', { kid: 'k1' })
  const failing = (error: unknown): Signer => ({ alg: 'ES256', kid: 'k1', publicJwk: () => good.publicJwk(), sign: async () => { throw error } })
  const kms = new Error('kms: throttled')

  it('wraps a plain error in SignerError ERR_SIGNER_FAILED, keeping it as cause', async () => {
    const err = await createCompactJWS({ typ: 'JWT' }, { a: 1 }, failing(kms)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SignerError)
    expect(err).toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: kms })
  })

  it('does so through createWIT and createWPT', async () => {
    const publicJwk = await (await generateSigner('ES256')).publicJwk()
    await expect(createWIT({ sub: 'wimse://example.org/a', publicJwk }, { signer: failing(kms) })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: kms })
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk }, { signer: good })
    await expect(createWPT({ wit, signer: failing('a string'), uri: 'https://api.example.org/x' })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: 'a string' })
  })

  it('passes an agentauth error or a coded TypeError from the signer through unchanged', async () => {
    const refused = new SignerError('ERR_SIGNER_REFUSED', 'policy says no')
    await expect(createCompactJWS({}, { a: 1 }, failing(refused))).rejects.toBe(refused)
    const typed = Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_VALUE' })
    await expect(createCompactJWS({}, { a: 1 }, failing(typed))).rejects.toBe(typed)
  })
})

describe('createCompactJWS and a signer that ignores its signal', async () => {
  const good = await generateSigner('ES256', { kid: 'k1' })
  const hung: Signer = { alg: 'ES256', kid: 'k1', publicJwk: () => good.publicJwk(), sign: () => new Promise<Uint8Array>(() => {}) }

  it('stops waiting when the signal aborts (createWIT, createWPT): SignerError with the reason as cause', async () => {
    const publicJwk = await (await generateSigner('ES256')).publicJwk()
    const controller = new AbortController()
    const pending = createWIT({ sub: 'wimse://example.org/a', publicJwk }, { signer: hung, signal: controller.signal })
    controller.abort(new Error('deadline'))
    await expect(pending).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: new Error('deadline') })
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk }, { signer: good })
    await expect(createWPT({ wit, signer: hung, uri: 'https://api.example.org/x', signal: AbortSignal.timeout(20) })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
    await expect(createCompactJWS({}, { a: 1 }, hung, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
  })
})
