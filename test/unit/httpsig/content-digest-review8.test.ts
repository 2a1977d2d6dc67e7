// Review round 8 regressions for agentauth/httpsig Content-Digest: failing dependencies.
import { describe, expect, it } from 'vitest'
import { createContentDigest, createMessageContentDigest, verifyContentDigest, verifyMessageContentDigest } from '../../../src/httpsig/index.js'

describe('a failing crypto provider or body stream gives coded errors from the Content-Digest functions', () => {
  const failing = { subtle: { digest: () => Promise.reject(new Error('provider down')) }, getRandomValues: (a: Uint8Array) => a } as unknown as Crypto

  it('createContentDigest / createMessageContentDigest: ERR_SIGNER_FAILED', async () => {
    await expect(createContentDigest('x', { crypto: failing })).rejects.toMatchObject({ name: 'SignerError', code: 'ERR_SIGNER_FAILED' })
    await expect(createMessageContentDigest({ method: 'POST', url: 'https://a.example/', body: 'x' } as never, { crypto: failing })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
  })

  it('verifyContentDigest fails closed: ERR_DIGEST_MISMATCH with the cause', async () => {
    const field = await createContentDigest('x')
    const err = await verifyContentDigest(field, 'x', { crypto: failing }).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'VerificationError', code: 'ERR_DIGEST_MISMATCH' })
    expect((err as Error).cause).toMatchObject({ message: 'provider down' })
  })

  it('a body stream that errors is ERR_BODY_INCOMPLETE (verify and create)', async () => {
    const field = await createContentDigest('x')
    const erroring = () => new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new Uint8Array([120])) }, pull(c) { c.error(new Error('reset')) } })
    await expect(verifyContentDigest(field, erroring())).rejects.toMatchObject({ name: 'VerificationError', code: 'ERR_BODY_INCOMPLETE' })
    await expect(createContentDigest(erroring())).rejects.toMatchObject({ code: 'ERR_BODY_INCOMPLETE' })
  })
})

describe('Content-Digest members of algorithms this library ignores (RFC 8941 §4.2.7, RFC 9530 §2)', () => {
  it('an unknown algorithm\'s digest without padding does not fail the field', async () => {
    const field = await createContentDigest('x')
    await expect(verifyContentDigest(`unixsum=:YWI:, ${field}, md5=:YWJjZA:;p`, 'x')).resolves.toMatchObject({ algorithms: ['sha-256'] })
  })

  it('the digests checked stay canonical: sha-256 without padding is ERR_DIGEST_INVALID', async () => {
    const field = await createContentDigest('x')
    await expect(verifyContentDigest(field.replace('=:', ':'), 'x')).rejects.toMatchObject({ code: 'ERR_DIGEST_INVALID' })
  })
})

describe('a Fetch body locked by a reader', () => {
  it('createMessageContentDigest / verifyMessageContentDigest: coded TypeError, not the bare clone() one', async () => {
    const request = new Request('https://a.example/', { method: 'POST', body: 'abc' })
    request.body!.getReader()
    const typeError = expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    await expect(createMessageContentDigest(request)).rejects.toEqual(typeError)
    await expect(verifyMessageContentDigest(request)).rejects.toEqual(typeError)
    const response = new Response('abc')
    response.body!.getReader()
    await expect(verifyMessageContentDigest(response)).rejects.toEqual(typeError)
  })
})
