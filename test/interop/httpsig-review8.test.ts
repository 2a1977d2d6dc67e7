// Review round 8 differential: the signature bases that http-message-signatures (dhensby) and
// http-message-sig (Cloudflare) build for unusual but valid inputs, against createSignatureBase.
// Where a peer disagrees, the test pins the side RFC 9421 supports (reason in each comment).
import { createRequire } from 'node:module'
import * as cf from 'http-message-sig'
import { describe, expect, it } from 'vitest'
import { createSignatureBase } from '../../src/httpsig/index.js'

const require = createRequire(import.meta.url)
const dh = require('http-message-signatures') as typeof import('http-message-signatures')

type Headers_ = Record<string, string | string[]>
const URL_ = 'https://h.example/p'
const lines = (b: string): string[] => b.split('\n').slice(0, -1) // without @signature-params

async function dhBase(url: string, headers: Headers_, fields: string[]): Promise<string[]> {
  let captured = ''
  const key = { id: 'k', alg: 'hmac-sha256', sign: async (d: Buffer) => { captured = d.toString(); return Buffer.alloc(32) } }
  await dh.httpbis.signMessage({ key, fields, params: ['created'] } as never, { method: 'GET', url, headers })
  return lines(captured)
}

async function cfBase(url: string, headers: Headers_, components: Array<string | cf.ComponentDescriptor>): Promise<string[]> {
  let captured = ''
  const fields = Object.entries(headers).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })))
  await cf.createSignature({ kind: 'request', method: 'GET', targetUri: url, fields }, {
    label: 'x', components, parameters: { created: 1 },
    signer: { algorithm: 'hmac-sha256', sign: async (d) => { captured = new TextDecoder().decode(d); return new Uint8Array(32) } },
  })
  return lines(captured)
}

const ours = (url: string, headers: Headers_, components: string[], structuredFields?: Record<string, 'dictionary'>): string[] =>
  lines(createSignatureBase({ method: 'GET', url, headers }, components, {}, structuredFields ? { structuredFields } : undefined))

describe('field values: whitespace, obs-fold, several lines, empty lines', () => {
  const CASES: Headers_[] = [
    { 'x-a': '  lead and trail  ' },
    { 'x-a': ['one', ' two ', ''] },
    { 'x-a': ['', ''] },
    { 'x-a': '' },
    { 'x-a': 'a,  b' },
    { 'x-a': 'a \t b' },
    { 'X-A': 'upper-case name' },
  ]
  it.each(CASES.map((h) => [JSON.stringify(h), h] as const))('%s: same base as both peers', async (_name, headers) => {
    const expected = ours(URL_, headers, ['x-a'])
    expect(await dhBase(URL_, headers, ['x-a'])).toEqual(expected)
    expect(await cfBase(URL_, headers, ['x-a'])).toEqual(expected)
  })

  it('obs-fold becomes one SP (RFC 9421 §2.1): as http-message-sig; http-message-signatures keeps the CR', async () => {
    const headers = { 'x-a': 'a\r\n  b' }
    expect(ours(URL_, headers, ['x-a'])).toEqual(['"x-a": a b'])
    expect(await cfBase(URL_, headers, ['x-a'])).toEqual(['"x-a": a b'])
  })

  it('several lines of one field in differently cased names are all combined (§2.1): as http-message-sig', async () => {
    const headers = { 'x-a': ['a', 'b'], 'X-A': 'c' }
    expect(ours(URL_, headers, ['x-a'])).toEqual(['"x-a": a, b, c'])
    expect(await cfBase(URL_, headers, ['x-a'])).toEqual(['"x-a": a, b, c'])
  })
})

describe('@query-param (§2.2.8)', () => {
  const SAME: Array<[string, string]> = [
    ['https://h.example/p?a%20b=1', 'a%20b'],
    ['https://h.example/p?a+b=1', 'a%20b'],
    ['https://h.example/p?fa%C3%A7ade=1', 'fa%C3%A7ade'],
    ['https://h.example/p?q=%41', 'q'],
    ['https://h.example/p?q=a+b%2Bc', 'q'],
    ['https://h.example/p?q=', 'q'],
    ['https://h.example/p?q', 'q'],
    ['https://h.example/p?q=%zz', 'q'],
    ['https://h.example/p?%7E=1', '%7E'],
    ['https://h.example/p?q=a%3Db', 'q'],
    ['https://h.example/p?Q=1', 'Q'],
    ['https://h.example/p?q=%E2%82%AC', 'q'],
    ['https://h.example/p?q=%FF', 'q'],
    ['https://h.example/p?q=%C3%BC&r', 'r'],
    ['https://h.example/p?q="x"', 'q'],
  ]
  it.each(SAME)('%s name=%s: same base as http-message-signatures', async (url, name) => {
    const c = `"@query-param";name="${name}"`
    expect(await dhBase(url, {}, [c])).toEqual(ours(url, {}, [c]))
  })

  it('~ is percent-encoded: the form-urlencoded set keeps only alphanumerics and *-._ (http-message-signatures keeps ~)', () => {
    expect(ours('https://h.example/p?q=~*', {}, ['"@query-param";name="q"'])).toEqual(['"@query-param";name="q": %7E*'])
  })
})

describe('structured fields (;sf, ;key, ;bs)', () => {
  const SAME: Array<[Headers_, string]> = [
    [{ 'x-d': 'a=1,   b=2;x=?1, c=(a  b)' }, '"x-d";sf'],
    [{ 'x-d': 'a=1,   b=2;x=?1, c=(a  b)' }, '"x-d";key="b"'],
    [{ 'x-d': 'a=1.50, b=?1, c' }, '"x-d";key="a"'],
    [{ 'x-d': 'a=1.50, b=?1, c' }, '"x-d";key="c"'],
    [{ 'x-d': ['a=1', 'b=2', 'a=3'] }, '"x-d";key="a"'],
    [{ 'x-d': ['a=1', 'b=2'] }, '"x-d";sf'],
    [{ 'x-d': ['a=1', ' b '] }, '"x-d";bs'],
    [{ 'x-d': 'a=:YWI=:, b="q\\"x"' }, '"x-d";sf'],
    [{ 'x-d': 'a=%"x", b=@1' }, '"x-d";sf'],
  ]
  it.each(SAME.map(([h, c]) => [`${JSON.stringify(h)} ${c}`, h, c] as const))('%s: same base as http-message-signatures', async (_name, headers, c) => {
    expect(await dhBase(URL_, headers, [c])).toEqual(ours(URL_, headers, [c], { 'x-d': 'dictionary' }))
  })

  it('key members: same base as http-message-sig', async () => {
    const headers = { 'x-d': ['a=1.50, b=2;x=?1', 'a=3, c'] }
    for (const k of ['a', 'b', 'c']) expect(await cfBase(URL_, headers, [cf.component('x-d', { key: k })])).toEqual(ours(URL_, headers, [`"x-d";key="${k}"`]))
  })

  it('a Decimal stays a Decimal: 1.0 is serialised 1.0 (RFC 8941 §4.1.5; http-message-signatures writes 1)', () => {
    expect(ours(URL_, { 'x-d': 'a=-0, b=0001, c=1.0' }, ['"x-d";sf'], { 'x-d': 'dictionary' })).toEqual(['"x-d";sf: a=0, b=1, c=1.0'])
  })
})

describe('derived components of unusual target URIs', () => {
  const COMPONENTS = ['@method', '@authority', '@scheme', '@path', '@query']
  const SAME = ['https://API.Example.COM/p?a=1&a=2', 'https://h.example:443/p', 'http://h.example:80/p', 'https://h.example:8443/p', 'https://h.example/p%7Ex?q=%41%20b+c', 'https://h.example/p?a&b=&=c', 'https://h.example/p?q=a;b', 'https://h.example']
  it.each(SAME)('%s: @authority (normalised, §2.2.3), @scheme, @path and @query as both peers', async (url) => {
    const expected = ours(url, {}, COMPONENTS)
    expect(await dhBase(url, {}, COMPONENTS)).toEqual(expected)
    expect(await cfBase(url, {}, COMPONENTS)).toEqual(expected)
  })
})

describe('@target-uri: the target URI as sent on the wire (WHATWG-serialised), where both peers echo the URL string', () => {
  // A Fetch client sends Host in lower case without a default port and the request-target with dot
  // segments removed, so the receiver reconstructs this form (RFC 9110 §7.1); the peers' echo of
  // the caller's string cannot be reconstructed by any receiver.
  it.each([
    ['https://API.Example.COM/p?a=1', 'https://api.example.com/p?a=1'],
    ['https://h.example:443/p', 'https://h.example/p'],
    ['http://h.example:80/p', 'http://h.example/p'],
    ['https://h.example', 'https://h.example/'],
    ['https://h.example/a/../b?x', 'https://h.example/b?x'],
  ])('%s → %s', async (url, expected) => {
    expect(ours(url, {}, ['@target-uri'])).toEqual([`"@target-uri": ${expected}`])
    expect(await cfBase(url, {}, ['@target-uri'])).toEqual([`"@target-uri": ${url}`])
    expect(new URL(url).href).toBe(expected)
  })
})
