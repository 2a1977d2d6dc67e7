// Review 7: the response signer promises to reject only with SignerError ERR_SIGNER_FAILED (the
// cause says why), a server-side failure. A WIT source that threw a plain Error or an upstream's
// ProtocolError, and an isStreaming callback that threw, escaped unwrapped: an uncoded 500, or a
// 503 ERR_BUNDLE_FETCH blaming an upstream for this service's own signing failure.
import { describe, expect, it } from 'vitest'
import { ProtocolError, SignerError } from '../../../src/errors/index.js'
import { createResponseSigner, errorResponse } from '../../../src/server/index.js'
import type { WITSource } from '../../../src/wit/types.js'
import { trustDomain } from '../../helpers/server-fixtures.js'

const request = (): Request => new Request('https://api.example.com/x')

describe('createResponseSigner: every signing failure is ERR_SIGNER_FAILED', () => {
  it.each([
    ['a plain Error', new Error('issuer unreachable')],
    ['a ProtocolError', new ProtocolError('ERR_BUNDLE_FETCH', 'issuer unreachable')],
  ])('wraps a WIT source throwing %s (cause kept, answered 500)', async (_name, thrown) => {
    const td = await trustDomain('example.org')
    const service = await td.workload('/services/api')
    const wit = { getWIT: async () => { throw thrown } } as unknown as WITSource
    const sign = createResponseSigner({ wit, signer: service.signer })
    const err = await sign(new Response('hi'), { request: request() }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(SignerError)
    expect(err).toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: thrown })
    expect(errorResponse(err).status).toBe(500)
  })

  it('wraps a throwing isStreaming callback', async () => {
    const td = await trustDomain('example.org')
    const service = await td.workload('/services/api')
    const thrown = new Error('callback bug')
    const sign = createResponseSigner({ wit: service.wit, signer: service.signer, isStreaming: () => { throw thrown } })
    await expect(sign(new Response('hi'), { request: request() })).rejects.toMatchObject({ name: 'SignerError', code: 'ERR_SIGNER_FAILED', cause: thrown })
  })

  it('still signs normally', async () => {
    const td = await trustDomain('example.org')
    const service = await td.workload('/services/api')
    const sign = createResponseSigner({ wit: { getWIT: async () => ({ token: service.wit }) } as unknown as WITSource, signer: service.signer })
    const res = await sign(new Response('hi'), { request: request() })
    expect(res.headers.get('signature')).not.toBeNull()
    expect(await res.text()).toBe('hi')
  })
})
