import { describe, expect, it } from 'vitest'
import { tlsClientAuth } from '../../../src/client-auth/index.js'
import {
  exchangeToken,
  processTokenExchangeResponse,
  tokenExchangeRequest,
  TOKEN_TYPE,
  GRANT_TYPE_TOKEN_EXCHANGE,
} from '../../../src/token-exchange/index.js'

const server = { issuer: 'https://sts.example.com', tokenEndpoint: 'https://sts.example.com/token' }
const client = { clientId: 'broker', auth: tlsClientAuth() }

function capture(response: () => Response = () => Response.json({ access_token: 't', issued_token_type: TOKEN_TYPE.ACCESS_TOKEN, token_type: 'Bearer', expires_in: 60 })) {
  const seen: Request[] = []
  const fetch = async (input: Request | URL | string, init?: RequestInit) => {
    seen.push(new Request(input, init))
    return response()
  }
  return { seen, fetch }
}

describe('tokenExchangeRequest', () => {
  it('sends every RFC 8693 §2.1 parameter, repeating audience and resource', async () => {
    const { seen, fetch } = capture()
    await tokenExchangeRequest(server, client, {
      subjectToken: 'subj', subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN,
      actorToken: 'act', actorTokenType: TOKEN_TYPE.JWT,
      requestedTokenType: TOKEN_TYPE.TXN_TOKEN,
      audience: ['a1', 'a2'], resource: ['https://r1.example/', 'https://r2.example/'],
      scope: ['read', 'write', 'read'],
      extra: { authorization_details: '[]' },
    }, { fetch })
    const body = new URLSearchParams(await seen[0]!.text())
    expect(seen[0]!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(body.get('grant_type')).toBe(GRANT_TYPE_TOKEN_EXCHANGE)
    expect(body.get('subject_token')).toBe('subj')
    expect(body.get('actor_token_type')).toBe(TOKEN_TYPE.JWT)
    expect(body.get('requested_token_type')).toBe('urn:ietf:params:oauth:token-type:txn_token')
    expect(body.getAll('audience')).toEqual(['a1', 'a2'])
    expect(body.getAll('resource')).toEqual(['https://r1.example/', 'https://r2.example/'])
    expect(body.get('scope')).toBe('read write')
    expect(body.get('authorization_details')).toBe('[]')
    expect(body.get('client_id')).toBe('broker')
  })

  it('rejects bad arguments with coded TypeErrors', async () => {
    const { fetch } = capture()
    const base = { subjectToken: 's', subjectTokenType: TOKEN_TYPE.JWT }
    await expect(tokenExchangeRequest(server, client, { ...base, actorToken: 'a' }, { fetch })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(tokenExchangeRequest(server, client, { ...base, subjectToken: '' }, { fetch })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(tokenExchangeRequest(server, client, { ...base, subjectTokenType: 'not a uri' }, { fetch })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(tokenExchangeRequest(server, client, { ...base, resource: 'relative/path' }, { fetch })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(tokenExchangeRequest(server, client, { ...base, extra: { scope: 'x' } }, { fetch })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(tokenExchangeRequest(server, client, { ...base, subjectToken: 'a\r\nb' }, { fetch })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })
})

describe('processTokenExchangeResponse', () => {
  it('accepts N_A and returns a frozen result', async () => {
    const r = await processTokenExchangeResponse(Response.json({ access_token: 'jag', issued_token_type: TOKEN_TYPE.ID_JAG, token_type: 'N_A', expires_in: 300 }), { expectedIssuedTokenType: TOKEN_TYPE.ID_JAG })
    expect(r.tokenType).toBe('N_A')
    expect(Object.isFrozen(r)).toBe(true)
  })

  it.each([
    ['missing issued_token_type', { access_token: 't', token_type: 'Bearer' }],
    ['numeric access_token', { access_token: 1, issued_token_type: TOKEN_TYPE.JWT, token_type: 'Bearer' }],
    ['negative expires_in', { access_token: 't', issued_token_type: TOKEN_TYPE.JWT, token_type: 'Bearer', expires_in: -1 }],
    ['bad scope', { access_token: 't', issued_token_type: TOKEN_TYPE.JWT, token_type: 'Bearer', scope: 'a  b' }],
    ['token with newline', { access_token: 't\nx', issued_token_type: TOKEN_TYPE.JWT, token_type: 'Bearer' }],
  ])('refuses %s', async (_name, body) => {
    await expect(processTokenExchangeResponse(Response.json(body))).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
  })

  it('refuses wrong content types, arrays, oversize bodies and unexpected issued types', async () => {
    await expect(processTokenExchangeResponse(new Response('{"access_token":"t"}', { headers: { 'content-type': 'text/plain' } }))).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
    await expect(processTokenExchangeResponse(Response.json([1]))).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
    await expect(processTokenExchangeResponse(Response.json({ x: 'y'.repeat(100) }), { maxBytes: 50 })).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
    await expect(processTokenExchangeResponse(Response.json({ access_token: 't', issued_token_type: TOKEN_TYPE.JWT, token_type: 'N_A' }), { expectedIssuedTokenType: TOKEN_TYPE.ID_JAG })).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
  })

  it('turns RFC 8693 errors into ERR_OAUTH_ERROR', async () => {
    await expect(processTokenExchangeResponse(Response.json({ error: 'invalid_target', error_description: 'unknown audience' }, { status: 400 })))
      .rejects.toMatchObject({ name: 'ProtocolError', code: 'ERR_OAUTH_ERROR', status: 400, error: 'invalid_target', errorDescription: 'unknown audience' })
    await expect(processTokenExchangeResponse(new Response('<html>', { status: 502 }))).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID', status: 502 })
    await expect(processTokenExchangeResponse(Response.json({ access_token: 't' }, { status: 201 }))).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
  })
})

describe('exchangeToken', () => {
  it('request + process', async () => {
    const { fetch } = capture()
    const r = await exchangeToken(server, client, { subjectToken: 's', subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN }, { fetch })
    expect(r.accessToken).toBe('t')
    expect(r.expiresIn).toBe(60)
  })
})

describe('exchangeToken issued_token_type (review)', () => {
  it('refuses an issued_token_type other than the requested one (RFC 8693 §2.1)', async () => {
    const { fetch } = capture(() => Response.json({ access_token: 't', issued_token_type: TOKEN_TYPE.REFRESH_TOKEN, token_type: 'Bearer', expires_in: 60 }))
    const params = { subjectToken: 's', subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, requestedTokenType: TOKEN_TYPE.ACCESS_TOKEN }
    await expect(exchangeToken(server, client, params, { fetch })).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
    // Nothing requested: the server chooses.
    const r = await exchangeToken(server, client, { subjectToken: 's', subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN }, { fetch })
    expect(r.issuedTokenType).toBe(TOKEN_TYPE.REFRESH_TOKEN)
    // An explicit expectation wins over the requested type.
    const explicit = await exchangeToken(server, client, params, { fetch, expectedIssuedTokenType: TOKEN_TYPE.REFRESH_TOKEN })
    expect(explicit.issuedTokenType).toBe(TOKEN_TYPE.REFRESH_TOKEN)
  })
})
