import { beforeAll, describe, expect, it } from 'vitest'
import { staticTrustBundles } from '../../../src/bundle/index.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { parseX509Bundle, staticX509Bundles, verifyX509SVID, x509BundlesFromTrustBundles } from '../../../src/x509/index.js'
import { base64, clock, createPKI, leafUnder, pemChain, type TestPKI } from '../../helpers/x509.js'

let pki: TestPKI
let other: TestPKI
let rootJwk: JsonWebKey

beforeAll(async () => {
  pki = await createPKI('example.org')
  other = await createPKI('other.org')
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pki.root.keys.publicKey)
  rootJwk = { kty, crv, x, y }
})

function spiffeBundle(): { keys: unknown[]; [member: string]: unknown } {
  return {
    spiffe_sequence: 1,
    keys: [
      { ...rootJwk, use: 'x509-svid', x5c: [base64(pki.root.der), 'ignored-second-value'] },
      { ...rootJwk, use: 'x509-svid' }, // no x5c: ignored (§6.2)
      { ...rootJwk, use: 'x509-svid', x5c: [] }, // empty x5c: ignored
      { ...rootJwk, use: 'jwt-svid', kid: 'jwt-1' },
    ],
  }
}

describe('staticX509Bundles', () => {
  it('takes PEM, DER, lists and SPIFFE bundle documents, and lists its trust domains', async () => {
    const bundles = staticX509Bundles({
      'example.org': pemChain(pki.root, other.root),
      'other.org': other.root.der,
      'list.example': [pki.root.pem, other.root.der],
      'doc.example': spiffeBundle(),
    })
    expect(bundles.trustDomains).toEqual(['example.org', 'other.org', 'list.example', 'doc.example'])
    expect((await bundles.getX509Bundle('example.org'))?.certificates).toEqual([pki.root.der, other.root.der])
    expect((await bundles.getX509Bundle('other.org'))?.certificates).toEqual([other.root.der])
    expect((await bundles.getX509Bundle('list.example'))?.certificates).toHaveLength(2)
    expect((await bundles.getX509Bundle('doc.example'))?.certificates).toEqual([pki.root.der])
    expect(await bundles.getX509Bundle('unknown.example')).toBeUndefined()
  })

  it('returns the same frozen bundle object every time, unaffected by later input changes', async () => {
    const der = pki.root.der.slice()
    const bundles = staticX509Bundles({ 'example.org': der })
    der[5] = der[5]! ^ 0xff
    const a = await bundles.getX509Bundle('example.org')
    expect(a).toBe(await bundles.getX509Bundle('example.org'))
    expect(Object.isFrozen(a) && Object.isFrozen(a?.certificates)).toBe(true)
    expect(a?.certificates[0]).toEqual(pki.root.der)
  })

  it.each([
    [{ 'Example.org': 'x' }, 'ERR_INVALID_ARG_VALUE', /"Example.org" is not a trust-domain name/],
    [{ 'example.org': 'not pem' }, 'ERR_INVALID_ARG_VALUE', /bundles\["example.org"\]: PEM text holds no CERTIFICATE block/],
    [{ 'example.org': [] }, 'ERR_INVALID_ARG_VALUE', /no certificate given/],
    [{ 'example.org': { keys: [] } }, 'ERR_INVALID_ARG_VALUE', /holds no X.509 CA certificate/],
    [{ 'example.org': { keys: 'x' } }, 'ERR_INVALID_ARG_VALUE', /keys must be an array/],
    [{ 'example.org': { keys: [{ use: 'x509-svid', x5c: ['!!'] }] } }, 'ERR_INVALID_ARG_VALUE', /key 0 x5c\[0\] is not a DER certificate: key 0 x5c\[0\] is not base64/],
    [{ 'example.org': { keys: [{ use: 'x509-svid', x5c: [42] }] } }, 'ERR_INVALID_ARG_VALUE', /key 0 x5c is not an array of strings/],
    [{ 'example.org': new Uint8Array([1, 2]) }, 'ERR_INVALID_ARG_VALUE', /certificate bytes are not DER/],
    [{ 'example.org': 7 }, 'ERR_INVALID_ARG_VALUE', /certificates must be DER bytes/],
  ])('rejects %#: %s', (input, code, message) => {
    expect(() => staticX509Bundles(input as never)).toThrow(expect.objectContaining({ name: 'TypeError', code, message: expect.stringMatching(message) }))
  })

  it('rejects a non-object', () => {
    expect(() => staticX509Bundles(null as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => staticX509Bundles([] as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})

describe('parseX509Bundle (SPIFFE X509-SVID §6.2)', () => {
  it('keeps the first x5c value of every x509-svid entry and ignores the rest', () => {
    const bundle = parseX509Bundle(JSON.stringify(spiffeBundle()), 'example.org')
    expect(bundle).toEqual({ trustDomain: 'example.org', certificates: [pki.root.der] })
    expect(parseX509Bundle(new TextEncoder().encode(JSON.stringify(spiffeBundle())), 'example.org').certificates).toHaveLength(1)
    expect(parseX509Bundle(spiffeBundle(), 'example.org').certificates).toHaveLength(1)
  })

  it('yields an empty bundle when the trust domain has no X.509 entries', () => {
    expect(parseX509Bundle({ keys: [{ ...rootJwk, use: 'jwt-svid' }] }, 'example.org').certificates).toEqual([])
  })

  it.each([
    ['{"keys": [', /SPIFFE bundle of example.org: SPIFFE bundle is not valid JSON/],
    ['[]', /is not a JSON object/],
    ['{}', /keys must be an array/],
    ['{"keys": [1]}', /key 0 is not a JSON object/],
    ['{"keys": [{"use": "x509-svid", "x5c": "MII"}]}', /key 0 x5c is not an array of strings/],
    ['{"keys": [{"use": "x509-svid", "x5c": ["AAAA"]}]}', /key 0 x5c\[0\] is not a DER certificate/],
  ])('rejects %s with ProtocolError ERR_BUNDLE_FETCH', (doc, message) => {
    let err: unknown
    try {
      parseX509Bundle(doc, 'example.org')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toMatchObject({ code: 'ERR_BUNDLE_FETCH', message: expect.stringMatching(message) })
  })

  it('rejects a bad trust domain or document type', () => {
    expect(() => parseX509Bundle('{}', 'Example.org')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => parseX509Bundle(42 as never, 'example.org')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })

  it('a parsed bundle verifies SVIDs', async () => {
    const bundle = parseX509Bundle(spiffeBundle(), 'example.org')
    const svid = await verifyX509SVID([pki.leaf.der, pki.intermediate.der], { bundles: { getX509Bundle: async (td) => (td === 'example.org' ? bundle : undefined) }, clock })
    expect(svid.chain).toHaveLength(3)
  })
})

describe('x509BundlesFromTrustBundles', () => {
  it('reads x509-svid entries of a JWT-side TrustBundleSource and caches per bundle object', async () => {
    const trustBundles = staticTrustBundles({ 'example.org': spiffeBundle() as never })
    const bundles = x509BundlesFromTrustBundles(trustBundles)
    const a = await bundles.getX509Bundle('example.org')
    expect(a?.certificates).toEqual([pki.root.der])
    expect(await bundles.getX509Bundle('example.org')).toBe(a)
    expect(await bundles.getX509Bundle('other.org')).toBeUndefined()
    expect((await verifyX509SVID([pki.leaf.der, pki.intermediate.der], { bundles, clock })).id.id).toBe('spiffe://example.org/workload')
  })

  it('refuses a trust bundle that belongs to another trust domain than the one asked for', async () => {
    // A source answering every trust domain with example.org's bundle: its CA must not vouch for evil.org.
    const exampleOrg = (await staticTrustBundles({ 'example.org': spiffeBundle() as never }).getBundle('example.org'))!
    const bundles = x509BundlesFromTrustBundles({ getBundle: async () => exampleOrg })
    await expect(bundles.getX509Bundle('evil.org')).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH', message: expect.stringContaining('trust bundle of evil.org: is the bundle of example.org') })
    const crossDomain = await leafUnder(pki.root, { uris: ['spiffe://evil.org/admin'] })
    await expect(verifyX509SVID(crossDomain.der, { bundles, clock })).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
    expect((await bundles.getX509Bundle('example.org'))?.certificates).toEqual([pki.root.der])
  })

  it('fails closed on a malformed x509-svid entry and validates its argument', async () => {
    const bundles = x509BundlesFromTrustBundles({ getBundle: async (td) => ({ trustDomain: td, keys: [{ kty: 'EC', use: 'x509-svid', x5c: ['@@'] }] }) })
    await expect(bundles.getX509Bundle('example.org')).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH', message: expect.stringContaining('trust bundle of example.org: key 0 x5c[0]') })
    expect(() => x509BundlesFromTrustBundles({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
