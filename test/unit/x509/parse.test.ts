import { beforeAll, describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { children, contentOf, rawOf, readTLV } from '../../../src/x509/der.js'
import { parseX509SVID } from '../../../src/x509/index.js'
import {
  CA_KU,
  cat,
  tlv,
  createPKI,
  ECDSA_SHA256_OID,
  issue,
  KU,
  keyPair,
  rsaKeys,
  lastIndexOf,
  leafUnder,
  x509,
  type IssueOptions,
  type TestPKI,
} from '../../helpers/x509.js'

let pki: TestPKI

beforeAll(async () => {
  pki = await createPKI()
})

/** The reason of the ERR_X509_SVID_INVALID `promise` rejects with. */
async function reason(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(VerificationError)
  const v = err as VerificationError
  expect(v.code).toBe('ERR_X509_SVID_INVALID')
  expect(v.status).toBe(400)
  expect(v.message).toBe(`X.509-SVID rejected: ${v.reason}`)
  return v.reason
}

describe('parseX509SVID accepts', () => {
  it('a leaf and its intermediate as DER, with the identifier, key and validity', async () => {
    const svid = await parseX509SVID([pki.leaf.der, pki.intermediate.der])
    expect(svid.id.id).toBe('spiffe://example.org/workload')
    expect(svid.trustDomain).toBe('example.org')
    expect(svid.certificates).toEqual([pki.leaf.der, pki.intermediate.der])
    expect(svid.leaf.notBefore).toBe(pki.leaf.cert.notBefore.getTime())
    expect(svid.leaf.notAfter).toBe(pki.leaf.cert.notAfter.getTime())
    expect(svid.leaf.serialNumber).toBe(pki.leaf.cert.serialNumber)
    expect(svid.leaf.subject).toBe(pki.leaf.name)
    expect(svid.leaf.issuer).toBe(pki.intermediate.name)
    expect(svid.leaf.dnsNames).toEqual(['workload.example.org'])
    const expected = await crypto.subtle.exportKey('jwk', pki.leaf.keys.publicKey)
    expect(svid.leaf.publicKey).toEqual({ kty: 'EC', crv: 'P-256', x: expected.x, y: expected.y })
  })

  it('returns a frozen result whose byte arrays are copies', async () => {
    const input = pki.leaf.der.slice()
    const svid = await parseX509SVID(input)
    expect(Object.isFrozen(svid) && Object.isFrozen(svid.leaf) && Object.isFrozen(svid.certificates) && Object.isFrozen(svid.leaf.publicKey)).toBe(true)
    input[10] = input[10]! ^ 0xff
    expect(svid.certificates[0]).toEqual(pki.leaf.der)
  })

  it('PEM text with several blocks and explanatory text around them', async () => {
    const text = `subject=CN=leaf\n${pki.leaf.pem}\nissuer: intermediate\n${pki.intermediate.pem}\n`
    expect((await parseX509SVID(text)).certificates).toHaveLength(2)
  })

  it('concatenated DER (go-spiffe ParseRaw form) and mixed lists', async () => {
    const both = new Uint8Array([...pki.leaf.der, ...pki.intermediate.der])
    expect((await parseX509SVID(both)).certificates).toHaveLength(2)
    expect((await parseX509SVID([pki.leaf.pem, pki.intermediate.der])).certificates).toHaveLength(2)
  })

  it('other SAN types next to the single URI SAN (DNS, otherName)', async () => {
    const leaf = await leafUnder(pki.intermediate, { dns: ['a.example', 'b.example'], otherNames: [{ type: 'upn', value: 'svc@example.org' }] })
    const svid = await parseX509SVID(leaf.der)
    expect(svid.leaf.dnsNames).toEqual(['a.example', 'b.example'])
  })

  it('an empty subject when the SAN extension is critical (SPIFFE X509-SVID §3.1)', async () => {
    const leaf = await leafUnder(pki.intermediate, { subject: '', sanCritical: true })
    expect((await parseX509SVID(leaf.der)).leaf.subject).toBe('')
  })

  it('a WIMSE Workload Identity Certificate with profile wimse or any', async () => {
    const wic = await leafUnder(pki.intermediate, { uris: ['wimse://example.org/service/payment'] })
    expect((await parseX509SVID(wic.der, { profile: 'wimse' })).id.scheme).toBe('wimse')
    expect((await parseX509SVID(wic.der, { profile: 'any' })).id.trustDomain).toBe('example.org')
    expect((await parseX509SVID(pki.leaf.der, { profile: 'any' })).id.scheme).toBe('spiffe')
  })

  it('leaf keys of every supported type as public JWKs', async () => {
    for (const [keys, kty] of [
      [await keyPair({ name: 'Ed25519' }), 'OKP'],
      [await keyPair({ name: 'ECDSA', namedCurve: 'P-384' } as EcKeyGenParams), 'EC'],
      [await rsaKeys('RSASSA-PKCS1-v1_5', 'SHA-256'), 'RSA'],
    ] as const) {
      const leaf = await leafUnder(pki.intermediate, { keys })
      const jwk = (await parseX509SVID(leaf.der)).leaf.publicKey
      expect(jwk.kty).toBe(kty)
      expect(Object.keys(jwk).every((k) => ['kty', 'crv', 'x', 'y', 'n', 'e'].includes(k))).toBe(true)
    }
  })
})

describe('parseX509SVID rejects (ERR_X509_SVID_INVALID, one reason each)', () => {
  const leafCases: Array<[string, IssueOptions, string]> = [
    ['two URI SANs', { uris: ['spiffe://example.org/a', 'spiffe://example.org/b'] }, 'leaf has more than one URI SAN'],
    ['a SPIFFE ID and a second non-SPIFFE URI', { uris: ['spiffe://example.org/a', 'https://example.org/a'] }, 'leaf has more than one URI SAN'],
    ['no URI SAN (DNS only)', { uris: [], dns: ['workload.example.org'] }, 'leaf has no URI SAN'],
    ['no SAN extension at all', { uris: [] }, 'leaf has no URI SAN'],
    ['a non-SPIFFE URI', { uris: ['https://example.org/workload'] }, 'leaf URI SAN is not a valid SPIFFE ID (ERR_IDENTIFIER_SCHEME)'],
    ['a wimse URI under the default spiffe profile', { uris: ['wimse://example.org/workload'] }, 'leaf URI SAN is not a valid SPIFFE ID (ERR_IDENTIFIER_SCHEME)'],
    ['an upper-case trust domain', { uris: ['spiffe://Example.org/workload'] }, 'leaf URI SAN is not a valid SPIFFE ID (ERR_IDENTIFIER_TRUST_DOMAIN_CHAR)'],
    ['a SPIFFE ID with a query', { uris: ['spiffe://example.org/workload?x=1'] }, 'leaf URI SAN is not a valid SPIFFE ID (ERR_IDENTIFIER_QUERY)'],
    ['a trust-domain-only SPIFFE ID', { uris: ['spiffe://example.org'] }, 'leaf SPIFFE ID has no path (it names a trust domain, not a workload)'],
    ['a CA leaf', { ca: true }, 'leaf is a CA certificate (basicConstraints cA is true)'],
    ['a leaf with keyCertSign', { keyUsage: KU.digitalSignature | KU.keyCertSign }, 'leaf keyUsage has keyCertSign'],
    ['a leaf with cRLSign', { keyUsage: KU.digitalSignature | KU.cRLSign }, 'leaf keyUsage has cRLSign'],
    ['a leaf without digitalSignature', { keyUsage: KU.keyEncipherment }, 'leaf keyUsage lacks digitalSignature'],
    ['a leaf without keyUsage', { keyUsage: null }, 'leaf has no keyUsage extension'],
    ['an unknown critical extension', { extensions: [new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([5, 0]))] }, 'leaf has an unsupported critical extension 1.3.6.1.4.1.99999.1'],
    ['two subjectAltName extensions', { extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'x.example' }])] }, 'leaf has two 2.5.29.17 extensions'],
    ['an empty subject with a non-critical SAN', { subject: '', sanCritical: false }, 'leaf has an empty subject but a non-critical subjectAltName extension'],
  ]

  it.each(leafCases)('%s', async (_name, options, expected) => {
    const leaf = await leafUnder(pki.intermediate, options)
    expect(await reason(parseX509SVID([leaf.der, pki.intermediate.der]))).toBe(expected)
  })

  it('a leaf with an RSA key shorter than 2048 bits (the minimum for issuer keys and JWKs too)', async () => {
    const leaf = await leafUnder(pki.intermediate, { keys: await rsaKeys('RSASSA-PKCS1-v1_5', 'SHA-256', 1024) })
    expect(await reason(parseX509SVID([leaf.der, pki.intermediate.der]))).toBe('leaf has an RSA key shorter than 2048 bits')
  })

  it('a wimse leaf with no path under profile wimse', async () => {
    const leaf = await leafUnder(pki.intermediate, { uris: ['wimse://example.org'] })
    expect(await reason(parseX509SVID(leaf.der, { profile: 'wimse' }))).toBe('leaf workload identifier has no path (it names a trust domain, not a workload)')
  })

  const signingCases: Array<[string, IssueOptions, string]> = [
    ['an intermediate that is not a CA', { ca: false, keyUsage: CA_KU }, 'certificate 1 is not a CA certificate (basicConstraints cA is not true)'],
    ['an intermediate without basicConstraints', { basicConstraints: false, keyUsage: CA_KU }, 'certificate 1 is not a CA certificate (basicConstraints cA is not true)'],
    ['an intermediate without keyCertSign', { ca: true, keyUsage: KU.cRLSign }, 'certificate 1 keyUsage lacks keyCertSign'],
    ['an intermediate without keyUsage', { ca: true, keyUsage: null }, 'certificate 1 has no keyUsage extension'],
    ['a CA certificate whose SPIFFE ID has a path', { ca: true, keyUsage: CA_KU, uris: ['spiffe://example.org/ca'] }, 'certificate 1 SPIFFE ID has a path (a signing certificate names a trust domain)'],
    ['a CA certificate with an invalid SPIFFE ID', { ca: true, keyUsage: CA_KU, uris: ['spiffe://example.org/a/'] }, 'certificate 1 URI SAN is not a valid SPIFFE ID'],
    ['a CA certificate with an unknown critical extension', { ca: true, keyUsage: CA_KU, extensions: [new x509.Extension('1.2.3.4', true, new Uint8Array([5, 0]))] }, 'certificate 1 has an unsupported critical extension 1.2.3.4'],
    // SEQUENCE { BOOLEAN FALSE, BOOLEAN TRUE }: readers taking the first or the last cA disagree.
    ['basicConstraints with two cA values', { basicConstraints: false, keyUsage: CA_KU, extensions: [new x509.Extension('2.5.29.19', true, new Uint8Array([0x30, 6, 1, 1, 0, 1, 1, 0xff]))] }, 'certificate 1 is not a valid DER certificate (basicConstraints is malformed)'],
  ]

  it.each(signingCases)('%s', async (_name, options, expected) => {
    const ca = await issue({ issuer: pki.root, subject: 'CN=bad intermediate', uris: ['spiffe://example.org'], ...options })
    const leaf = await leafUnder(ca)
    expect(await reason(parseX509SVID([leaf.der, ca.der]))).toBe(expected)
  })

  it('different signature algorithms inside and outside the signed part (RFC 5280 §4.1.1.2)', async () => {
    const der = pki.leaf.der.slice()
    const at = lastIndexOf(der, ECDSA_SHA256_OID)
    der[at + ECDSA_SHA256_OID.length - 1] = 0x03 // ecdsa-with-SHA384 outside only
    expect(await reason(parseX509SVID(der))).toBe('leaf has different signature algorithms inside and outside the signed part')
  })

  it('a certificate that is not X.509 v3', async () => {
    const der = pki.leaf.der.slice()
    const at = lastIndexOf(der.subarray(0, 16), [0xa0, 0x03, 0x02, 0x01, 0x02])
    expect(at).toBeGreaterThan(0)
    der[at + 4] = 0x01 // version v2
    expect(await reason(parseX509SVID(der))).toBe('leaf is not an X.509 v3 certificate')
  })

  it('a signature that can be re-encoded: unused bits, non-minimal ECDSA integers', async () => {
    const der = pki.leaf.der
    const outer = readTLV(der, 0)
    const [tbs, alg, sig] = children(der, outer)
    const withSignature = (value: Uint8Array): Uint8Array => cat([tlv(0x30, cat([rawOf(der, tbs!), rawOf(der, alg!), tlv(0x03, value)]))])
    const original = contentOf(der, sig!)
    const unused = original.slice()
    unused[0] = 3
    expect(await reason(parseX509SVID(withSignature(unused)))).toBe('leaf has a signature with unused bits')
    // r with an extra leading zero byte: same (r, s), different bytes.
    const ecdsa = original.subarray(1)
    const [r, s] = children(ecdsa, readTLV(ecdsa, 0))
    const padded = tlv(0x30, cat([tlv(0x02, cat([new Uint8Array([0]), contentOf(ecdsa, r!)])), rawOf(ecdsa, s!)]))
    expect(await reason(parseX509SVID(withSignature(cat([new Uint8Array([0]), padded]))))).toBe('leaf has a malformed ECDSA signature')
    // The unchanged signature rebuilt the same way still parses (the rebuild itself is sound).
    expect((await parseX509SVID(withSignature(original))).id.id).toBe('spiffe://example.org/workload')
  })

  it('trailing bytes, garbage and truncation', async () => {
    expect(await reason(parseX509SVID(new Uint8Array([...pki.leaf.der, 0])))).toBe('certificate bytes are not DER (truncated element)')
    expect(await reason(parseX509SVID(new Uint8Array([2, 1, 0])))).toBe('certificate bytes are not DER (certificate: unexpected tag 0x2)')
    expect(await reason(parseX509SVID(new Uint8Array([1, 2, 3])))).toBe('certificate bytes are not DER (element overruns its container)')
    expect(await reason(parseX509SVID(pki.leaf.der.subarray(0, 100)))).toBe('certificate bytes are not DER (element overruns its container)')
    expect(await reason(parseX509SVID(new Uint8Array([0x30, 0x80, 0, 0])))).toBe('certificate bytes are not DER (unsupported length form)')
    expect(await reason(parseX509SVID(new Uint8Array([0x30, 0x81, 0x03, 2, 1, 0])))).toBe('certificate bytes are not DER (non-minimal length)')
    expect(await reason(parseX509SVID(new Uint8Array([0x30, 0x03, 2, 1, 0])))).toBe(
      'leaf is not a valid DER certificate (Certificate is not tbsCertificate, signatureAlgorithm, signatureValue)',
    )
    expect(await reason(parseX509SVID(new Uint8Array()))).toBe('certificate bytes are empty')
  })

  it('a changed outer length (one byte short leaves a stray byte)', async () => {
    const der = pki.leaf.der.slice()
    expect(der[1]).toBe(0x82) // two length bytes; der[3] is the low one
    der[3] = der[3]! - 1
    expect(await reason(parseX509SVID(der))).toBe('certificate bytes are not DER (truncated element)')
  })

  it('PEM problems', async () => {
    expect(await reason(parseX509SVID('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'))).toBe('PEM holds a PRIVATE KEY block, only CERTIFICATE blocks are accepted')
    expect(await reason(parseX509SVID('no pem here'))).toBe('PEM text holds no CERTIFICATE block')
    expect(await reason(parseX509SVID(`${pki.leaf.pem}\n-----BEGIN CERTIFICATE-----\nAAAA`))).toBe('PEM text has an unterminated block')
    expect(await reason(parseX509SVID('-----BEGIN CERTIFICATE-----\nAA*A\n-----END CERTIFICATE-----'))).toBe('PEM CERTIFICATE body is not base64')
    expect(await reason(parseX509SVID('-----BEGIN CERTIFICATE-----\nAB==\n-----END CERTIFICATE-----'))).toBe('PEM CERTIFICATE body is not canonical base64')
    expect(await reason(parseX509SVID('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERT-----'))).toBe('PEM block BEGIN CERTIFICATE ends with END CERT')
    const two = `-----BEGIN CERTIFICATE-----\n${Buffer.from([...pki.leaf.der, ...pki.intermediate.der]).toString('base64')}\n-----END CERTIFICATE-----`
    expect(await reason(parseX509SVID(two))).toBe('a PEM CERTIFICATE block holds more than one certificate')
  })

  it('input of the wrong shape or size', async () => {
    expect(await reason(parseX509SVID([]))).toBe('no certificate given')
    expect(await reason(parseX509SVID(42 as never))).toBe('certificates must be DER bytes (Uint8Array) or PEM text')
    expect(await reason(parseX509SVID(Array(9).fill(pki.leaf.der)))).toBe('more than 8 certificates')
    expect(await reason(parseX509SVID([pki.leaf.der, pki.intermediate.der, pki.root.der], { maxChainLength: 2 }))).toBe('more than 2 certificates')
    expect(await reason(parseX509SVID(new Uint8Array(600 * 1024)))).toBe('certificate input exceeds 524288 bytes')
  })

  it('a non-ASCII URI SAN', async () => {
    const leaf = await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/wörkload'] })
    expect(await reason(parseX509SVID(leaf.der))).toBe('leaf is not a valid DER certificate (URI SAN is not printable ASCII)')
  })
})

describe('parseX509SVID options', () => {
  it.each([
    [{ profile: 'x509' }, 'ERR_INVALID_ARG_VALUE'],
    [{ maxChainLength: 1 }, 'ERR_INVALID_ARG_VALUE'],
    [{ maxChainLength: 33 }, 'ERR_INVALID_ARG_VALUE'],
    [{ maxChainLength: Number.NaN }, 'ERR_INVALID_ARG_VALUE'],
    [{ maxChainLength: 2.5 }, 'ERR_INVALID_ARG_VALUE'],
    [{ maxChainLength: '8' }, 'ERR_INVALID_ARG_TYPE'],
    [{ crypto: {} }, 'ERR_INVALID_ARG_TYPE'],
    ['spiffe', 'ERR_INVALID_ARG_TYPE'],
  ])('%j → %s', async (options, code) => {
    await expect(parseX509SVID(pki.leaf.der, options as never)).rejects.toMatchObject({ name: 'TypeError', code })
  })
})
