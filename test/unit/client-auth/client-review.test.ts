import { describe, expect, it } from 'vitest'
import { processTokenResponse } from '../../../src/client-auth/index.js'
import { processTokenExchangeResponse, TOKEN_TYPE } from '../../../src/token-exchange/index.js'

const big = () => Response.json({ access_token: 'x', token_type: 'Bearer', issued_token_type: TOKEN_TYPE.ACCESS_TOKEN, pad: 'p'.repeat(200_000) })

describe('token response maxBytes (review)', () => {
  it('refuses a maxBytes that would disable the size cap (NaN, Infinity) or make no sense', async () => {
    for (const maxBytes of [Number.NaN, Number.POSITIVE_INFINITY, 0, -1, 1.5]) {
      await expect(processTokenResponse(big(), { maxBytes })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await expect(processTokenExchangeResponse(big(), { maxBytes })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
    await expect(processTokenResponse(big())).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
    expect((await processTokenResponse(big(), { maxBytes: 300_000 })).accessToken).toBe('x')
  })
})

describe('OAuth error responses (review)', () => {
  it('keeps error_description to printable ASCII (RFC 6749 §5.2): no CR/LF, escape sequences or bidi marks reach logs', async () => {
    const r = Response.json({ error: 'invalid_grant', error_description: 'bad\r\nINFO forged \u001b[31mred\u001b[0m \u202eevil "quoted"' }, { status: 400 })
    const err = await processTokenResponse(r).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_grant' })
    const description = (err as { errorDescription: string }).errorDescription
    expect(description).toMatch(/^[\x20-\x7e]*$/)
    expect(description).toBe('bad  INFO forged  [31mred [0m  evil "quoted"')
  })
})

describe('bounded OAuth body reads (review)', () => {
  it('the shared reader refuses a limit that would turn the bound off', async () => {
    const { readBoundedBody } = await import('../../../src/internal/oauth-http.js')
    for (const limit of [Number.NaN, Number.POSITIVE_INFINITY, -1, 1.5]) {
      await expect(readBoundedBody(new Response('x'.repeat(10)), limit, 'body')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
    expect((await readBoundedBody(new Response('abc'), 3, 'body')).length).toBe(3)
  })
})
