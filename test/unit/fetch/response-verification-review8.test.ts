// Review 8: workloadAuth's verifyResponse options are checked and taken when the middleware is
// built. A replay cache without claim() failed every response (thrown from the fetch) instead of
// the construction, and `required` / `replayCache` were read again on every response, so changing
// the options object later silently turned the check off.
import { describe, expect, it } from 'vitest'
import { composeFetch, workloadAuth, type OutboundCredentials, type ResponseVerification } from '../../../src/fetch/index.js'

const credentials: OutboundCredentials = { authorize: async () => new Headers({ 'workload-proof-token': 'proof' }) }
const trustBundles: ResponseVerification['trustBundles'] = { getBundle: async () => { throw new Error('not reached') } }
const unsigned = async (): Promise<Response> => new Response('ok')

describe('workloadAuth verifyResponse options', () => {
  it('refuses a replay cache without claim() at construction', () => {
    for (const replayCache of [{}, 'redis', { claim: 'no' }]) {
      expect(() => workloadAuth({ credentials, origins: ['https://api.example.com'], verifyResponse: { trustBundles, replayCache: replayCache as never } })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      )
    }
  })

  it('keeps requiring a signed response after the options object is changed', async () => {
    const verifyResponse: ResponseVerification = { trustBundles, required: true }
    const api = composeFetch(unsigned, workloadAuth({ credentials, origins: ['https://api.example.com'], verifyResponse }))
    verifyResponse.required = false
    await expect(api('https://api.example.com/v1/x')).rejects.toMatchObject({ code: 'ERR_HTTPSIG_MISSING' })
  })
})
