// RFC 9421 worked examples outside Appendix B: §2.1 field values (OWS, obs-fold, multiple lines,
// empty), §2.1.1 sf, §2.1.2 key, §2.1.3 bs, §2.1.4 trailers, §2.2 derived components, §2.2.8
// query parameters, §2.4 request-response binding, §3.1 / §4.3 signatures. Source: the RFC text
// as quoted in httpwg/http-extensions draft-ietf-httpbis-message-signatures.md (late drafts) and in
// public test suites (the §2.4 reqres example of the final RFC); every signature below is checked
// cryptographically against the B.1 keys, which is what pins these values.
import { describe, expect, it } from 'vitest'
import { createContentDigest, createSignatureBase, parseSignatureInput, signRequest, verifyRequestSignature, verifyResponseSignature } from '../../src/httpsig/index.js'
import { b2Request, clockAt, jwkSigner, testKeyJwks } from '../helpers/httpsig.js'

const line = (message: Parameters<typeof createSignatureBase>[0], component: Parameters<typeof createSignatureBase>[1][number], opts?: Parameters<typeof createSignatureBase>[3]) =>
  createSignatureBase(message, [component], {}, opts).split('\n')[0]

describe('§2.1 HTTP field values', () => {
  const message = {
    method: 'GET',
    url: 'https://www.example.com/',
    headers: [
      ['Host', 'www.example.com'],
      ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
      ['X-OWS-Header', '   Leading and trailing whitespace.   '],
      ['X-Obs-Fold-Header', 'Obsolete\r\n    line folding.'],
      ['Cache-Control', 'max-age=60'],
      ['Cache-Control', '   must-revalidate'],
      ['Example-Dict', ' a=1,    b=2;x=1;y=2,   c=(a   b   c)'],
      ['X-Empty-Header', ' '],
    ] as [string, string][],
  }
  it.each([
    ['host', '"host": www.example.com'],
    ['date', '"date": Tue, 20 Apr 2021 02:07:56 GMT'],
    ['x-ows-header', '"x-ows-header": Leading and trailing whitespace.'],
    ['x-obs-fold-header', '"x-obs-fold-header": Obsolete line folding.'],
    ['cache-control', '"cache-control": max-age=60, must-revalidate'],
    ['example-dict', '"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)'],
    ['x-empty-header', '"x-empty-header": '],
  ])('%s', (name, expected) => {
    expect(line(message, name)).toBe(expected)
  })

  it('§2.1.1 sf re-serialises a Dictionary strictly', () => {
    const opts = { structuredFields: { 'example-dict': 'dictionary' as const } }
    expect(line(message, { name: 'example-dict', params: { sf: true } }, opts)).toBe('"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)')
  })

  it('§2.1.2 key selects Dictionary members', () => {
    const m = { method: 'GET', url: 'https://www.example.com/', headers: { 'Example-Dict': '  a=1, b=2;x=1;y=2, c=(a   b    c), d' } }
    expect(line(m, '"example-dict";key="a"')).toBe('"example-dict";key="a": 1')
    expect(line(m, '"example-dict";key="d"')).toBe('"example-dict";key="d": ?1')
    expect(line(m, '"example-dict";key="b"')).toBe('"example-dict";key="b": 2;x=1;y=2')
    expect(line(m, '"example-dict";key="c"')).toBe('"example-dict";key="c": (a b c)')
  })

  it('§2.1.3 bs wraps each field line', () => {
    const two = { method: 'GET', url: 'https://www.example.com/', headers: [['Example-Header', 'value, with, lots'], ['Example-Header', 'of, commas']] as [string, string][] }
    const one = { method: 'GET', url: 'https://www.example.com/', headers: { 'Example-Header': 'value, with, lots, of, commas' } }
    expect(line(two, 'example-header')).toBe('"example-header": value, with, lots, of, commas')
    expect(line(one, 'example-header')).toBe('"example-header": value, with, lots, of, commas')
    expect(line(two, '"example-header";bs')).toBe('"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:')
    expect(line(one, '"example-header";bs')).toBe('"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHMsIG9mLCBjb21tYXM=:')
  })

  it('§2.1.4 tr takes the value from the trailers', () => {
    const response = { status: 200, headers: { 'Content-Type': 'text/plain', 'Trailer': 'Expires' }, trailers: { Expires: 'Wed, 9 Nov 2022 07:28:00 GMT' } }
    const base = createSignatureBase(response, ['@status', 'trailer', '"expires";tr'], {})
    expect(base.split('\n').slice(0, 3)).toEqual(['"@status": 200', '"trailer": Expires', '"expires";tr: Wed, 9 Nov 2022 07:28:00 GMT'])
  })
})

describe('§2.2 derived components', () => {
  const post = { method: 'POST', url: 'https://www.example.com/path?param=value', headers: { Host: 'www.example.com' } }
  it.each([
    ['@method', 'POST'],
    ['@target-uri', 'https://www.example.com/path?param=value'],
    ['@authority', 'www.example.com'],
    ['@request-target', '/path?param=value'],
    ['@path', '/path'],
    ['@query', '?param=value'],
  ])('%s', (name, value) => {
    expect(line(post, name)).toBe(`"${name}": ${value}`)
  })
  it('@scheme of a plain-HTTP request is http', () => {
    expect(line({ ...post, url: 'http://www.example.com/path?param=value' }, '@scheme')).toBe('"@scheme": http')
  })
  it('@request-target in absolute-form, authority-form and asterisk-form (raw request-target)', () => {
    expect(line({ method: 'GET', url: 'https://www.example.com/path?param=value', requestTarget: 'https://www.example.com/path?param=value' }, '@request-target'))
      .toBe('"@request-target": https://www.example.com/path?param=value')
    expect(line({ method: 'CONNECT', url: 'http://www.example.com:80/', requestTarget: 'www.example.com:80' }, '@request-target')).toBe('"@request-target": www.example.com:80')
    expect(line({ method: 'OPTIONS', url: 'https://www.example.com/', requestTarget: '*' }, '@request-target')).toBe('"@request-target": *')
  })
  it('@query keeps percent-encoding; ?queryString; absent query is "?"', () => {
    expect(line({ method: 'POST', url: 'https://www.example.com/path?param=value&foo=bar&baz=bat%2Dman' }, '@query')).toBe('"@query": ?param=value&foo=bar&baz=bat%2Dman')
    expect(line({ method: 'POST', url: 'https://www.example.com/path?queryString' }, '@query')).toBe('"@query": ?queryString')
    expect(line({ method: 'POST', url: 'https://www.example.com/path' }, '@query')).toBe('"@query": ?')
  })
  it('§2.2.8 @query-param: baz, qux (empty) and param', () => {
    const m = { method: 'POST', url: 'https://www.example.com/path?param=value&foo=bar&baz=batman&qux=' }
    const base = createSignatureBase(m, ['"@query-param";name="baz"', '"@query-param";name="qux"', '"@query-param";name="param"'], {})
    expect(base.split('\n').slice(0, 3)).toEqual(['"@query-param";name="baz": batman', '"@query-param";name="qux": ', '"@query-param";name="param": value'])
  })
  it('§2.2.8 @query-param encoding: spaces, newline, "+" and a non-ASCII name', () => {
    const m = { method: 'GET', url: 'https://www.example.com/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something' }
    expect(line(m, { name: '@query-param', params: { name: 'var' } })).toBe('"@query-param";name="var": this%20is%20a%20big%0Amultiline%20value')
    expect(line(m, { name: '@query-param', params: { name: 'bar' } })).toBe('"@query-param";name="bar": with%20plus%20whitespace')
    expect(line(m, { name: '@query-param', params: { name: 'fa%C3%A7ade%22%3A%20' } })).toBe('"@query-param";name="fa%C3%A7ade%22%3A%20": something')
  })
  it('§2.2.9 @status', () => {
    expect(line({ status: 200, headers: {} }, '@status')).toBe('"@status": 200')
  })
})

// §3.1 / §4.3 request: the B.2 request signed as "sig1".
const SIG1_473 = 'HIbjHC5rS0BYaa9v4QfD4193TORw7u9edguPh0AW3dMq9WImrlFrCGUDih47vAxi4L2YRZ3XMJc1uOKk/J0ZmZ+wcta4nKIgBkKq0rM9hs3CQyxXGxHLMCy8uqK488o+9jrptQ+xFPHK7a9sRL1IXNaagCNN3ZxJsYapFj+JXbmaI5rtAdSfSvzPuBCh+ARHBmWuNo1UzVVdHXrl8ePL4cccqlazIJdC4QEjrF+Sn4IxBQzTZsL9y9TP5FsZYzHvDqbInkTNigBcE9cKOYNFCn4D/WM7F6TNuZO9EgtzepLWcjTymlHzK7aXq6Am6sfOrpIC49yXjj3ae6HRalVc/g=='
const SIG1_475 = 'LAH8BjcfcOcLojiuOBFWn0P5keD3xAOuJRGziCLuD8r5MW9S0RoXXLzLSRfGY/3SF8kVIkHjE13SEFdTo4Af/fJ/Pu9wheqoLVdwXyY/UkBIS1M8Brc8IODsn5DFIrG0IrburbLi0uCc+E2ZIIb6HbUJ+o+jP58JelMTe0QE3IpWINTEzpxjqDf5/Df+InHCAkQCTuKsamjWXUpyOT1Wkxi7YPVNOjW4MfNuTZ9HdbD2Tr65+BXeTG9ZS/9SWuXAc+BZ8WyPz0QRz//ec3uWXd7bYYODSjRAxHqX+S1ag3LZElYyUKaAIjZ8MGOt4gXEwCSLDv/zqxZeWLj/PDkn6w=='
const REQRES = 'dMT/A/76ehrdBTD/2Xx8QuKV6FoyzEP/I9hdzKN8LQJLNgzU4W767HK05rx1i8meNQQgQPgQp8wq2ive3tV5Ag=='
const RESPONSE_DIGEST = '0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESHObfwnHJDbkkWWQz6PhhU9kxsTbARtY2PTBOzq24uJFpHsMuAg=='
const PROXY_SIG = 'G1WLTL4/9PGSKEQbSAMypZNk+I2dpLJ6qvl2JISahlP31OO/QEUd8/HdO2O7vYLi5k3JIiAK3UPK4U+kvJZyIUidsiXlzRI+Y2se3SGo0D8dLfhG95bKr6ukYXl60QHpsGRTfSiwdtvYKXGpKNrMlISJYd+oGrGRyI9gbCy0aFhc6I/okIMLeK4g9PgzpC3YTwhUQ98KIBNLWHgREfBgJxjPbxFlsgJ9ykPviLj8GKJ81HwsK3XM9P7WaS7fMGOt8h1kSqgkZQB9YqiIo+WhHvJa7iPy8QrYFKzx9BBEY6AwfStZAsXXz3LobZseyxsYcLJLs8rY0wVA9NPsxKrHGA=='
const SIG1_INPUT = (created: number) => `sig1=("@method" "@authority" "@path" "content-digest" "content-length" "content-type");created=${created};keyid="test-key-rsa-pss"`

describe('§3.1, §2.4 and §4.3 signatures', () => {
  const pss = testKeyJwks('test-key-rsa-pss').publicJwk
  const opts = (created: number) => ({ algorithms: ['rsa-pss-sha512' as const], key: () => ({ key: pss, algorithm: 'rsa-pss-sha512' as const }), clock: clockAt(created) })

  it('§3.1 example signature (created 1618884473) verifies', async () => {
    const v = await verifyRequestSignature(b2Request([['Signature-Input', SIG1_INPUT(1618884473)], ['Signature', `sig1=:${SIG1_473}:`]]), opts(1618884473))
    expect(v.components).toEqual(['"@method"', '"@authority"', '"@path"', '"content-digest"', '"content-length"', '"content-type"'])
  })

  it('§2.4 the response bound to the B.2 request with ;req components verifies', async () => {
    const request = b2Request([['Signature-Input', SIG1_INPUT(1618884475)], ['Signature', `sig1=:${SIG1_475}:`]])
    const response = {
      status: 503,
      headers: [
        ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
        ['Content-Type', 'application/json'],
        ['Content-Length', '62'],
        ['Content-Digest', `sha-512=:${RESPONSE_DIGEST}:`],
        ['Signature-Input', 'reqres=("@status" "content-digest" "content-type" "@authority";req "@method";req "@path";req "content-digest";req);created=1618884479;keyid="test-key-ecc-p256"'],
        ['Signature', `reqres=:${REQRES}:`],
      ] as [string, string][],
    }
    const ecc = testKeyJwks('test-key-ecc-p256').publicJwk
    const v = await verifyResponseSignature(response, {
      request,
      algorithms: ['ecdsa-p256-sha256'],
      key: () => ({ key: ecc, algorithm: 'ecdsa-p256-sha256' }),
      requiredComponents: ['"@method";req', { name: 'content-digest', params: { req: true } }],
      clock: clockAt(1618884479),
      includeSignatureBase: true,
    })
    expect(v.signatureBase!.split('\n').slice(3, 7)).toEqual([
      '"@authority";req: example.com',
      '"@method";req: POST',
      '"@path";req: /foo',
      '"content-digest";req: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    ])
    await expect(createContentDigest('{"busy": true, "message": "Your call is very important to us"}', { algorithms: ['sha-512'] })).resolves.toBe(`sha-512=:${RESPONSE_DIGEST}:`)
  })

  it('§4.3 proxy_sig (rsa-v1_5-sha256, deterministic) verifies and is reproduced byte for byte', async () => {
    const fields: [string, string][] = [
      ['Host', 'origin.host.internal.example'],
      ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
      ['Content-Type', 'application/json'],
      ['Content-Digest', 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:'],
      ['Content-Length', '18'],
      ['Forwarded', 'for=192.0.2.123'],
    ]
    const proxyInput = 'proxy_sig=("signature";key="sig1" "forwarded");created=1618884480;expires=1618884540;keyid="test-key-rsa";alg="rsa-v1_5-sha256"'
    const url = 'https://origin.host.internal.example/foo?param=Value&Pet=dog'
    const message = { method: 'POST', url, headers: [...fields, ['Signature-Input', `${SIG1_INPUT(1618884475)}, ${proxyInput}`], ['Signature', `sig1=:${SIG1_475}:, proxy_sig=:${PROXY_SIG}:`]] as [string, string][] }
    const rsa = testKeyJwks('test-key-rsa')
    const v = await verifyRequestSignature(message, { label: 'proxy_sig', algorithms: ['rsa-v1_5-sha256'], key: () => ({ key: rsa.publicJwk, algorithm: 'RS256' }), clock: clockAt(1618884500) })
    expect(v.params).toEqual({ created: 1618884480, expires: 1618884540, keyid: 'test-key-rsa', alg: 'rsa-v1_5-sha256' })
    const [parsed] = parseSignatureInput(proxyInput)
    const resigned = await signRequest({ method: 'POST', url, headers: [...fields, ['Signature-Input', SIG1_INPUT(1618884475)], ['Signature', `sig1=:${SIG1_475}:`]] }, {
      label: 'proxy_sig', signer: await jwkSigner(rsa.privateJwk, 'RS256'), components: parsed!.components,
      created: 1618884480, expires: 1618884540, keyid: 'test-key-rsa', includeAlg: true,
    })
    expect(resigned.signatureInput).toBe(`${SIG1_INPUT(1618884475)}, ${proxyInput}`)
    expect(resigned.signature).toBe(`sig1=:${SIG1_475}:, proxy_sig=:${PROXY_SIG}:`)
  })
})
