// Review round 6: a request given with its request-target as on the request line. RFC 9421 §2.2.2,
// §2.2.6, §2.2.7: @target-uri, @path and @query are the target URI's parts as received (simple
// string comparison, RFC 3986 §6.2.1), so a raw `'` must not become `%27` (WHATWG serialisation).
// http-message-sig (Cloudflare) derives them from the raw target.
import * as cf from 'http-message-sig'
import { describe, expect, it } from 'vitest'
import { createSignatureBase, verifyRequestSignature } from '../../src/httpsig/index.js'

const TARGET = "/search/it's?q='x'&n=1&sp=a+b"
const URI = 'https://api.example.com' + TARGET
const COMPONENTS = ['@method', '@target-uri', '@authority', '@path', '@query', '@request-target']

describe('a raw request-target (requestTarget given)', () => {
  it('http-message-sig signs the raw target → agentauth verifies', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
    const created = Math.floor(Date.now() / 1000)
    const request: cf.RequestDescriptor = { kind: 'request', method: 'GET', targetUri: URI, requestTarget: TARGET, fields: [] }
    const fields = await cf.createSignature(request, { label: 'cf', components: COMPONENTS, signer: cf.webcrypto.signer(pair.privateKey), parameters: { created, keyid: 'k1' } })
    const v = await verifyRequestSignature({ method: 'GET', url: URI, requestTarget: TARGET, headers: { 'signature-input': fields.signatureInput, signature: fields.signature } }, {
      algorithms: ['ed25519'], key: () => ({ key: jwk as never, algorithm: 'ed25519' }),
    })
    expect(v.label).toBe('cf')
  })

  it('@path, @query, @query-param and @target-uri come from the raw target', () => {
    const base = createSignatureBase({ method: 'GET', url: URI, requestTarget: TARGET }, [...COMPONENTS, '"@query-param";name="q"', '"@query-param";name="sp"'], {})
    expect(base.split('\n').slice(0, -1)).toEqual([
      '"@method": GET',
      `"@target-uri": ${URI}`,
      '"@authority": api.example.com',
      `"@path": /search/it's`,
      `"@query": ?q='x'&n=1&sp=a+b`,
      `"@request-target": ${TARGET}`,
      '"@query-param";name="q": %27x%27',
      '"@query-param";name="sp": a%20b',
    ])
  })

  it('absolute-form and targets without query or path', () => {
    const abs = "https://api.example.com/a'b?c'd"
    expect(createSignatureBase({ method: 'GET', url: abs, requestTarget: abs }, ['@target-uri', '@path', '@query', '@request-target'], {}).split('\n').slice(0, -1))
      .toEqual([`"@target-uri": ${abs}`, `"@path": /a'b`, `"@query": ?c'd`, `"@request-target": ${abs}`])
    expect(createSignatureBase({ method: 'GET', url: 'https://h.example/p', requestTarget: '/p' }, ['@path', '@query'], {}).split('\n').slice(0, -1)).toEqual(['"@path": /p', '"@query": ?'])
    expect(createSignatureBase({ method: 'GET', url: 'https://h.example/p?', requestTarget: '/p?' }, ['@query', '@target-uri'], {}).split('\n').slice(0, -1)).toEqual(['"@query": ?', '"@target-uri": https://h.example/p?'])
    expect(createSignatureBase({ method: 'GET', url: 'https://h.example', requestTarget: 'https://h.example?x' }, ['@path', '@query'], {}).split('\n').slice(0, -1)).toEqual(['"@path": /', '"@query": ?x'])
    // Asterisk- and authority-form carry no path or query: those come from the URL as before.
    expect(createSignatureBase({ method: 'OPTIONS', url: 'https://h.example/', requestTarget: '*' }, ['@path', '@query', '@target-uri'], {}).split('\n').slice(0, -1)).toEqual(['"@path": /', '"@query": ?', '"@target-uri": https://h.example/'])
  })
})
