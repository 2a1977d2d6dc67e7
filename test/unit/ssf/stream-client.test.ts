import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/errors/index.js'
import { createStreamClient, discoverTransmitter, ssfConfigurationUrl } from '../../../src/ssf/index.js'

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('ssfConfigurationUrl', () => {
  it('inserts the well-known segment between host and path (SSF 1.0 §7.2)', () => {
    expect(ssfConfigurationUrl('https://tr.example.com').href).toBe('https://tr.example.com/.well-known/ssf-configuration')
    expect(ssfConfigurationUrl('https://tr.example.com/').href).toBe('https://tr.example.com/.well-known/ssf-configuration')
    expect(ssfConfigurationUrl('https://tr.example.com/issuer1').href).toBe('https://tr.example.com/.well-known/ssf-configuration/issuer1')
    expect(ssfConfigurationUrl('https://tr.example.com/issuer1/').href).toBe('https://tr.example.com/.well-known/ssf-configuration/issuer1')
    expect(ssfConfigurationUrl('http://127.0.0.1:8080/x').href).toBe('http://127.0.0.1:8080/.well-known/ssf-configuration/x')
  })
  it('refuses non-https issuers, queries and fragments', () => {
    for (const bad of ['http://tr.example.com', 'https://tr.example.com/?a=1', 'https://tr.example.com/#f', 'tr.example.com', 'ftp://x']) {
      expect(() => ssfConfigurationUrl(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
  })
})

describe('discoverTransmitter', () => {
  const issuer = 'https://tr.example.com/issuer1'
  const ok = { issuer, jwks_uri: 'https://tr.example.com/jwks', configuration_endpoint: 'https://tr.example.com/stream', delivery_methods_supported: ['urn:ietf:rfc:8935'] }
  it('fetches the well-known URL and validates the metadata', async () => {
    let asked = ''
    const m = await discoverTransmitter(issuer, { fetch: async (u) => { asked = String(u); return json(ok) } })
    expect(asked).toBe('https://tr.example.com/.well-known/ssf-configuration/issuer1')
    expect(m.jwks_uri).toBe(ok.jwks_uri)
  })
  it('refuses an issuer mismatch, malformed members, errors and non-JSON', async () => {
    for (const res of [json({ ...ok, issuer: 'https://evil.example' }), json({ ...ok, jwks_uri: 'not a url' }), json({ ...ok, delivery_methods_supported: 'push' }), json({ ...ok, default_subjects: 'SOME' }), json(ok, 404), json([ok]), new Response('<html>')]) {
      await expect(discoverTransmitter(issuer, { fetch: async () => res })).rejects.toBeInstanceOf(ProtocolError)
    }
    await expect(discoverTransmitter(issuer, { fetch: async () => { throw new TypeError('offline') } })).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
  })
  it('refuses endpoints that are not https (http only on loopback): the access token is sent there', async () => {
    for (const url of ['http://169.254.169.254/latest', 'http://tr.example.com/stream', 'ftp://tr.example.com/x', 'data:,x']) {
      for (const name of ['jwks_uri', 'configuration_endpoint', 'status_endpoint', 'verification_endpoint']) {
        await expect(discoverTransmitter(issuer, { fetch: async () => json({ ...ok, [name]: url }) })).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
      }
    }
    const local = await discoverTransmitter(issuer, { fetch: async () => json({ ...ok, configuration_endpoint: 'http://127.0.0.1:8080/stream' }) })
    expect(local.configuration_endpoint).toBe('http://127.0.0.1:8080/stream')
  })
})

describe('createStreamClient', () => {
  const issuer = 'https://tr.example.com'
  const metadata = { issuer, configuration_endpoint: `${issuer}/stream` }
  const stream = { stream_id: 's1', iss: issuer, aud: 'rx', delivery: { method: 'urn:ietf:rfc:8936', endpoint_url: `${issuer}/poll/s1` } }
  it('refuses stream configurations for another issuer or audience (SSF 1.0 §8.1.1)', async () => {
    for (const body of [{ ...stream, iss: 'https://evil' }, { ...stream, aud: 'other' }, { ...stream, delivery: undefined }, { ...stream, stream_id: '' }]) {
      const client = createStreamClient({ issuer, metadata, authorization: 'Bearer t', audience: 'rx', fetch: async () => json(body, 201) })
      await expect(client.createStream({})).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    }
  })
  it('surfaces the transmitter error body and status', async () => {
    const client = createStreamClient({ issuer, metadata, authorization: async () => 'Bearer t', fetch: async () => json({ error: 'invalid_request', error_description: 'bad events' }, 400) })
    await expect(client.createStream({})).rejects.toMatchObject({ code: 'ERR_SSF_STREAM', status: 400, error: 'invalid_request', errorDescription: 'bad events' })
  })
  it('never sends the access token to a supplied metadata endpoint that is not https', async () => {
    const sent: string[] = []
    const client = createStreamClient({ issuer, metadata: { issuer, configuration_endpoint: 'http://10.0.0.1/stream' }, authorization: 'Bearer t', fetch: async (u) => { sent.push(String(u)); return json(stream, 201) } })
    await expect(client.createStream({})).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    expect(sent).toEqual([])
  })
  it('refuses a stream list holding a lone surrogate, like a single configuration', async () => {
    const raw = `{"stream_id":"s\\ud800","iss":"${issuer}","aud":"rx","delivery":{"method":"urn:ietf:rfc:8936"}}`
    for (const [body, call] of [[`[${raw}]`, 'list'], [raw, 'get']] as const) {
      const client = createStreamClient({ issuer, metadata, authorization: 'Bearer t', fetch: async () => new Response(body, { status: 200 }) })
      await expect(call === 'list' ? client.listStreams() : client.getStream('s')).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    }
  })
  it('reports endpoints the transmitter does not offer', async () => {
    const client = createStreamClient({ issuer, metadata, authorization: 'Bearer t', fetch: async () => json({}) })
    await expect(client.requestVerification('s1')).rejects.toThrow(/verification_endpoint/)
  })
  it('validates options', () => {
    expect(() => createStreamClient({ issuer: 'http://x.example', authorization: 't' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createStreamClient({ issuer, authorization: 5 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
