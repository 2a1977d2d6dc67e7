// Review 9: createProxyFetch when the broker cannot be reached. docs/broker.md promises a
// SignerError ERR_SIGNER_FAILED ("unreachable"), like remoteCredentials; it rejected with the
// platform fetch's uncoded TypeError ("fetch failed").
import { describe, expect, it } from 'vitest'
import { createProxyFetch } from '../../../src/fetch/index.js'
import { capabilityToken } from '../../helpers/broker-fixtures.js'

describe('createProxyFetch: an unreachable broker', () => {
  it('rejects with SignerError ERR_SIGNER_FAILED, the cause kept', async () => {
    const cause = new TypeError('fetch failed')
    const proxied = createProxyFetch({ endpoint: 'http://127.0.0.1:7070', token: capabilityToken(), fetch: () => Promise.reject(cause) })
    const err = await proxied('https://api.example.com/v1/x').then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ name: 'SignerError', code: 'ERR_SIGNER_FAILED', cause })
  })

  it('rejects with the caller\'s abort reason when the caller aborted', async () => {
    const controller = new AbortController()
    const reason = new Error('stop')
    const proxied = createProxyFetch({
      endpoint: 'http://127.0.0.1:7070',
      token: capabilityToken(),
      fetch: (_input, init) => {
        controller.abort(reason)
        return Promise.reject(init?.signal?.reason)
      },
    })
    await expect(proxied('https://api.example.com/v1/x', { signal: controller.signal })).rejects.toBe(reason)
  })
})
