// Review round 8 regressions for agentauth/client-auth.
import { describe, expect, it } from 'vitest'
import { clientSecretBasic, clientSecretPost } from '../../../src/client-auth/index.js'

const context = (signal?: AbortSignal, clientId = 'spiffe://example.org/agent') => ({
  issuer: 'https://as.example.com',
  tokenEndpoint: 'https://as.example.com/token',
  clientId,
  body: new URLSearchParams(),
  headers: new Headers(),
  ...(signal === undefined ? {} : { signal }),
})

describe('client secrets and ids with a lone surrogate', () => {
  it.each([
    ['clientSecretPost', clientSecretPost],
    ['clientSecretBasic', clientSecretBasic],
  ])('%s refuses the secret at construction (post sent U+FFFD, a different secret; basic threw an uncoded URIError)', (_, make) => {
    expect(() => make('s\uD800cret')).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => make('s\uD83D\uDE00cret')).not.toThrow()
  })

  it('clientSecretBasic refuses such a client id at use with a coded TypeError', async () => {
    await expect(clientSecretBasic('secret')(context(undefined, 'agent\uDC00'))).rejects.toEqual(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
  })
})
