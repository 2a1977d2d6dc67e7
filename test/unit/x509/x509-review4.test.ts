// Review round 4 regressions for agentauth/x509: RSA keys read by us whatever their OID, and
// limits on them applied before any signature check; keyUsage padding bits; validity times; what
// the verified-result cache keeps.
import { beforeAll, describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { children, rawOf, readTLV } from '../../../src/x509/der.js'
import { createX509SVIDVerifier, parseX509SVID, staticX509Bundles, type X509SVIDVerifier } from '../../../src/x509/index.js'
import { CA_KU, cat, clock, createPKI, issue, leafUnder, NOW, rsaKeys, tlv, x509, type Issued, type TestPKI } from '../../helpers/x509.js'

const DAY = 86_400_000
const RSA_ENCRYPTION = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
const RSASSA_PSS = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]

let pki: TestPKI
let verifier: X509SVIDVerifier

beforeAll(async () => {
  pki = await createPKI('example.org')
  verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.der }), clock })
})

/** A DER INTEGER of the unsigned big-endian `value`. */
function integer(value: Uint8Array): Uint8Array {
  return tlv(0x02, value[0]! & 0x80 ? cat([new Uint8Array([0]), value]) : value)
}

/** A subjectPublicKeyInfo holding RSAPublicKey { n, e } under `oid` (rsaEncryption with NULL parameters, id-RSASSA-PSS without). */
function rsaSPKI(oid: number[], n: Uint8Array, e: Uint8Array): Uint8Array {
  const algorithm = tlv(0x30, cat([tlv(0x06, new Uint8Array(oid)), ...(oid === RSA_ENCRYPTION ? [new Uint8Array([0x05, 0x00])] : [])]))
  const key = tlv(0x30, cat([integer(n), integer(e)]))
  return tlv(0x30, cat([algorithm, tlv(0x03, cat([new Uint8Array([0]), key]))]))
}

/** The modulus and exponent of an RSA CryptoKey. */
async function rsaNumbers(key: CryptoKey): Promise<{ n: Uint8Array; e: Uint8Array }> {
  const jwk = await crypto.subtle.exportKey('jwk', key)
  return { n: new Uint8Array(Buffer.from(jwk.n!, 'base64url')), e: new Uint8Array(Buffer.from(jwk.e!, 'base64url')) }
}

/** A random odd "modulus" of `bytes` bytes with the top bit set (never used to verify anything). */
function fakeModulus(bytes: number): Uint8Array {
  const n = crypto.getRandomValues(new Uint8Array(bytes))
  n[0]! |= 0x80
  n[bytes - 1]! |= 1
  return n
}

/** A certificate for the public key `spki`, signed by `issuer` (ECDSA), as a CA or a leaf. */
async function issueForSPKI(spki: Uint8Array, issuer: Issued, role: 'ca' | 'leaf', keys: CryptoKeyPair): Promise<Issued> {
  const name = role === 'ca' ? 'CN=rsa intermediate' : 'CN=rsa leaf'
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: role === 'ca' ? '7a' : '7b',
      subject: name,
      issuer: issuer.name,
      notBefore: new Date(NOW - DAY),
      notAfter: new Date(NOW + DAY),
      publicKey: new x509.PublicKey(spki as Uint8Array<ArrayBuffer>),
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as Algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(role === 'ca', undefined, true),
        new x509.KeyUsagesExtension(role === 'ca' ? CA_KU : x509.KeyUsageFlags.digitalSignature, true),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: role === 'ca' ? 'spiffe://example.org' : 'spiffe://example.org/rsa' }]),
      ],
    },
    crypto,
  )
  return { cert, der: new Uint8Array(cert.rawData), pem: cert.toString('pem'), keys, name }
}

/** A Web Crypto object counting `subtle.verify` calls. */
function countingCrypto(): { crypto: Crypto; verifies: () => number } {
  let n = 0
  const subtle = new Proxy(crypto.subtle, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown
      if (property === 'verify') return (...args: Parameters<SubtleCrypto['verify']>) => (n++, target.verify(...args))
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
  return { crypto: { subtle, getRandomValues: crypto.getRandomValues.bind(crypto) } as Crypto, verifies: () => n }
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; reason: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(VerificationError)
  return { code: (err as VerificationError).code, reason: (err as VerificationError).reason }
}

describe('RSA keys labelled id-RSASSA-PSS', () => {
  it('a 1024-bit intermediate key is refused like an rsaEncryption one (it signed the leaf)', async () => {
    const keys = await rsaKeys('RSA-PSS', 'SHA-256', 1024)
    const { n, e } = await rsaNumbers(keys.publicKey)
    const intermediate = await issueForSPKI(rsaSPKI(RSASSA_PSS, n, e), pki.root, 'ca', keys)
    const leaf = await leafUnder(intermediate, { signingAlgorithm: { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as Algorithm })
    expect(await rejection(verifier([leaf.der, intermediate.der]))).toEqual({
      code: 'ERR_ALG_NOT_ALLOWED',
      reason: 'certificate 1 has an RSA key shorter than 2048 bits',
    })
    // The same key under its usual OID, for comparison.
    const plain = await issueForSPKI(rsaSPKI(RSA_ENCRYPTION, n, e), pki.root, 'ca', keys)
    const plainLeaf = await leafUnder(plain, { signingAlgorithm: { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as Algorithm })
    expect((await rejection(verifier([plainLeaf.der, plain.der]))).code).toBe('ERR_ALG_NOT_ALLOWED')
  })

  it('a 1024-bit leaf key is refused by parseX509SVID', async () => {
    const keys = await rsaKeys('RSA-PSS', 'SHA-256', 1024)
    const { n, e } = await rsaNumbers(keys.publicKey)
    const leaf = await issueForSPKI(rsaSPKI(RSASSA_PSS, n, e), pki.root, 'leaf', keys)
    expect(await rejection(parseX509SVID(leaf.der))).toEqual({ code: 'ERR_X509_SVID_INVALID', reason: 'leaf has an RSA key shorter than 2048 bits' })
  })

  it('a 2048-bit key labelled id-RSASSA-PSS still verifies', async () => {
    const keys = await rsaKeys('RSA-PSS', 'SHA-256')
    const { n, e } = await rsaNumbers(keys.publicKey)
    const intermediate = await issueForSPKI(rsaSPKI(RSASSA_PSS, n, e), pki.root, 'ca', keys)
    const leaf = await leafUnder(intermediate, { signingAlgorithm: { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as Algorithm })
    expect((await verifier([leaf.der, intermediate.der])).chain).toHaveLength(3)
  })

  it('a malformed RSAPublicKey is refused while parsing (non-minimal modulus)', async () => {
    const keys = await rsaKeys('RSA-PSS', 'SHA-256')
    const { n, e } = await rsaNumbers(keys.publicKey)
    const padded = cat([new Uint8Array([0, 0]), n])
    const spki = tlv(0x30, cat([tlv(0x30, tlv(0x06, new Uint8Array(RSASSA_PSS))), tlv(0x03, cat([new Uint8Array([0]), tlv(0x30, cat([tlv(0x02, padded), integer(e)]))]))]))
    const leaf = await issueForSPKI(spki, pki.root, 'leaf', keys)
    const { code, reason } = await rejection(parseX509SVID(leaf.der))
    expect(code).toBe('ERR_X509_SVID_INVALID')
    expect(reason).toBe('leaf is not a valid DER certificate (RSA public key is malformed)')
  })
})

describe('RSA issuer keys that would make a hostile chain expensive', () => {
  // A self-made intermediate with the name the leaf names as its issuer: nothing vouches for it, so
  // no signature may be checked with a key that costs more than a normal one.
  async function hostileChain(spki: Uint8Array): Promise<Uint8Array[]> {
    const signer = await rsaKeys('RSASSA-PKCS1-v1_5', 'SHA-256')
    const intermediate = await issueForSPKI(spki, pki.root, 'ca', signer)
    const leaf = await leafUnder(intermediate)
    return [leaf.der, intermediate.der]
  }

  it.each([
    ['a 2047-bit public exponent', fakeModulus(256), fakeModulus(256).subarray(1), 'an RSA public exponent that is not odd, at least 3 and below 2^32'],
    ['a 5-byte public exponent', fakeModulus(256), new Uint8Array([1, 0, 0, 0, 1]), 'an RSA public exponent that is not odd, at least 3 and below 2^32'],
    ['an even public exponent', fakeModulus(256), new Uint8Array([1, 0, 0]), 'an RSA public exponent that is not odd, at least 3 and below 2^32'],
    ['public exponent 1', fakeModulus(256), new Uint8Array([1]), 'an RSA public exponent that is not odd, at least 3 and below 2^32'],
    ['a 16392-bit modulus', fakeModulus(2049), new Uint8Array([1, 0, 1]), 'an RSA key longer than 16384 bits'],
  ])('%s is refused before any signature check (ERR_ALG_NOT_ALLOWED)', async (_name, n, e, why) => {
    const chain = await hostileChain(rsaSPKI(RSA_ENCRYPTION, n, e))
    const { crypto: counting, verifies } = countingCrypto()
    const v = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.der }), clock, crypto: counting })
    expect(await rejection(v(chain))).toEqual({ code: 'ERR_ALG_NOT_ALLOWED', reason: `certificate 1 has ${why}` })
    // The leaf's signature is never checked with that key (and the path ends there).
    expect(verifies()).toBe(0)
  })

  it('a leaf key with a modulus-sized exponent is refused by parseX509SVID', async () => {
    const leaf = await issueForSPKI(rsaSPKI(RSA_ENCRYPTION, fakeModulus(256), fakeModulus(256).subarray(1)), pki.root, 'leaf', pki.root.keys)
    expect(await rejection(parseX509SVID(leaf.der))).toEqual({
      code: 'ERR_X509_SVID_INVALID',
      reason: 'leaf has an RSA public exponent that is not odd, at least 3 and below 2^32',
    })
  })

  it('exponents 3 and 2^32 - 1 are accepted', async () => {
    for (const e of [new Uint8Array([3]), new Uint8Array([0xff, 0xff, 0xff, 0xff])]) {
      const leaf = await issueForSPKI(rsaSPKI(RSA_ENCRYPTION, fakeModulus(256), e), pki.root, 'leaf', pki.root.keys)
      expect((await parseX509SVID(leaf.der)).leaf.publicKey.kty).toBe('RSA')
    }
  })
})

describe('keyUsage unused bits', () => {
  it('a CA whose keyCertSign bit sits in the padding of its keyUsage is not a signing certificate', async () => {
    // 7 unused bits, content 0x84: DER readers see digitalSignature only (bit 5 is padding).
    const keyUsage = new x509.Extension('2.5.29.15', true, new Uint8Array([0x03, 0x02, 0x07, 0x84]))
    const intermediate = await issue({ subject: 'CN=padded', issuer: pki.root, uris: ['spiffe://example.org'], ca: true, keyUsage: null, extensions: [keyUsage] })
    const leaf = await leafUnder(intermediate)
    expect(await rejection(verifier([leaf.der, intermediate.der]))).toEqual({
      code: 'ERR_X509_SVID_INVALID',
      reason: 'certificate 1 is not a valid DER certificate (keyUsage has unused bits set)',
    })
  })

  it.each([
    ['unused bits without any byte', [0x03, 0x01, 0x03], 'keyUsage is malformed'],
    ['a set padding bit after digitalSignature', [0x03, 0x02, 0x05, 0x81], 'keyUsage has unused bits set'],
  ])('a leaf with %s is refused', async (_name, bytes, why) => {
    const leaf = await issue({ issuer: pki.root, uris: ['spiffe://example.org/w'], keyUsage: null, extensions: [new x509.Extension('2.5.29.15', true, new Uint8Array(bytes))] })
    expect(await rejection(parseX509SVID(leaf.der))).toEqual({ code: 'ERR_X509_SVID_INVALID', reason: `leaf is not a valid DER certificate (${why})` })
  })

  it('keyUsage with digitalSignature and keyEncipherment (5 unused bits, 0xa0) still parses', async () => {
    const leaf = await issue({ issuer: pki.root, uris: ['spiffe://example.org/w'], keyUsage: null, extensions: [new x509.Extension('2.5.29.15', true, new Uint8Array([0x03, 0x02, 0x05, 0xa0]))] })
    expect((await parseX509SVID(leaf.der)).id.id).toBe('spiffe://example.org/w')
  })
})

describe('validity times (RFC 5280 §4.1.2.5)', () => {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s)
  const utc = (s: string): Uint8Array => tlv(0x17, text(s))
  const generalized = (s: string): Uint8Array => tlv(0x18, text(s))

  /** `der` with its validity replaced, signed again by `key` (ECDSA P-256). */
  async function withValidity(der: Uint8Array, notBefore: Uint8Array, notAfter: Uint8Array, key: CryptoKey): Promise<Uint8Array> {
    const [tbs, algorithm] = children(der, readTLV(der, 0))
    const fields = children(der, tbs!).map((f) => rawOf(der, f))
    fields[4] = tlv(0x30, cat([notBefore, notAfter]))
    const signed = tlv(0x30, cat(fields))
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, signed as Uint8Array<ArrayBuffer>))
    const ecdsa = tlv(0x30, cat([minimal(raw.subarray(0, 32)), minimal(raw.subarray(32))]))
    return tlv(0x30, cat([signed, rawOf(der, algorithm!), tlv(0x03, cat([new Uint8Array([0]), ecdsa]))]))
  }

  function minimal(value: Uint8Array): Uint8Array {
    let i = 0
    while (i < value.length - 1 && value[i] === 0) i++
    return integer(value.subarray(i))
  }

  it('a GeneralizedTime without Z is refused (it was read as local time, 25 days early)', async () => {
    // NOW is 2026-01-01T12:00Z; the issuer meant "valid from 13:00".
    const leaf = await leafUnder(pki.root)
    const der = await withValidity(leaf.der, generalized('20260101130000'), generalized('20260102120000Z'), pki.root.keys.privateKey)
    expect(await rejection(verifier(der))).toEqual({ code: 'ERR_X509_SVID_INVALID', reason: 'leaf is not a valid DER certificate (validity time is not in RFC 5280 form)' })
  })

  it.each([
    ['UTCTime without seconds', utc('2512311200Z'), 'validity time is not in RFC 5280 form'],
    ['UTCTime with an offset', utc('251231120000+0500'), 'validity time is not in RFC 5280 form'],
    ['fractional seconds', generalized('20251231120000.5Z'), 'validity time is not in RFC 5280 form'],
    ['February 30', generalized('20260230120000Z'), 'validity time is not a valid date'],
    ['hour 24', utc('251231240000Z'), 'validity time is not a valid date'],
    ['another ASN.1 type', tlv(0x13, text('251231120000Z')), 'validity is malformed'],
  ])('%s is refused', async (_name, notBefore, why) => {
    const leaf = await leafUnder(pki.root)
    const der = await withValidity(leaf.der, notBefore, utc('260102120000Z'), pki.root.keys.privateKey)
    expect(await rejection(parseX509SVID(der))).toEqual({ code: 'ERR_X509_SVID_INVALID', reason: `leaf is not a valid DER certificate (${why})` })
  })

  it('UTCTime years 50–99 are 19YY, 00–49 are 20YY; GeneralizedTime is read as is', async () => {
    const leaf = await leafUnder(pki.root)
    const der = await withValidity(leaf.der, utc('500101000000Z'), utc('491231235959Z'), pki.root.keys.privateKey)
    const svid = await parseX509SVID(der)
    expect([svid.leaf.notBefore, svid.leaf.notAfter]).toEqual([Date.UTC(1950, 0, 1), Date.UTC(2049, 11, 31, 23, 59, 59)])
    const later = await withValidity(leaf.der, generalized('20500101000000Z'), generalized('99991231235959Z'), pki.root.keys.privateKey)
    const svid2 = await parseX509SVID(later)
    expect([svid2.leaf.notBefore, svid2.leaf.notAfter]).toEqual([Date.UTC(2050, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59)])
  })
})

describe('verified-result cache', () => {
  it('keeps chains made of the verified path, not chains carrying extra (never checked) certificates', async () => {
    const { crypto: counting, verifies } = countingCrypto()
    const v = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.der }), clock, crypto: counting })
    // The path itself, also with the bundle root appended (a PEM chain file often carries it).
    for (const chain of [[pki.leaf.der, pki.intermediate.der], [pki.leaf.der, pki.intermediate.der, pki.root.der]]) {
      await v(chain)
      const before = verifies()
      await v(chain)
      expect(verifies()).toBe(before)
    }
    // An extra self-signed CA certificate of up to 64 KiB, whose bytes can vary freely (its
    // signature is never checked): such chains must not fill the cache, 512 KiB each.
    const junk = await issue({ subject: 'CN=junk', ca: true, keyUsage: CA_KU, extensions: [new x509.Extension('1.2.3.4', false, new Uint8Array(1000))] })
    const padded = [pki.leaf.der, pki.intermediate.der, junk.der]
    await v(padded)
    const before = verifies()
    await v(padded)
    expect(verifies()).toBe(before + 2)
  })
})

describe('ECDSA malleability (documented, not a second encoding)', () => {
  it('(r, n - s) is another valid signature of the same leaf: certificate bytes are not unique', async () => {
    const der = pki.directLeaf.der
    const [tbs, algorithm, signature] = children(der, readTLV(der, 0))
    const value = der.subarray(signature!.start + 1, signature!.end)
    const [r, sv] = children(value, readTLV(value, 0))
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n // P-256 group order
    const s = BigInt(`0x${Buffer.from(value.subarray(sv!.start, sv!.end)).toString('hex')}`)
    let hex = (n - s).toString(16)
    if (hex.length % 2) hex = `0${hex}`
    const flipped = tlv(0x30, cat([rawOf(value, r!), integer(new Uint8Array(Buffer.from(hex, 'hex')))]))
    const other = tlv(0x30, cat([rawOf(der, tbs!), rawOf(der, algorithm!), tlv(0x03, cat([new Uint8Array([0]), flipped]))]))
    expect(Buffer.from(other).equals(Buffer.from(der))).toBe(false)
    expect((await verifier(other)).id.id).toBe('spiffe://example.org/direct')
  })
})

describe('name constraints that are not host or domain names', () => {
  it.each([
    ['an excluded URI constraint written as a URI', { excluded: [{ type: 'uri' as const, value: 'spiffe://example.org' }] }, 'URI name constraint spiffe://example.org'],
    ['an excluded URI constraint with a trailing dot', { excluded: [{ type: 'uri' as const, value: 'example.org.' }] }, 'URI name constraint example.org.'],
    ['an excluded DNS constraint with a trailing dot', { excluded: [{ type: 'dns' as const, value: 'example.org.' }] }, 'DNS name constraint example.org.'],
    ['a permitted URI constraint with a port', { permitted: [{ type: 'uri' as const, value: 'example.org:443' }] }, 'URI name constraint example.org:443'],
  ])('%s fails closed instead of never matching', async (_name, nameConstraints, what) => {
    const intermediate = await issue({ subject: 'CN=constrained', issuer: pki.root, uris: ['spiffe://example.org'], ca: true, keyUsage: CA_KU, nameConstraints })
    const leaf = await leafUnder(intermediate, { dns: ['api.example.org'] })
    expect(await rejection(verifier([leaf.der, intermediate.der]))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: `the name constraints of certificate 1 have a ${what} that is not a host or domain name (cannot be evaluated, rejected)`,
    })
  })

  it('an empty DNS constraint (every name) and domain constraints still work', async () => {
    const intermediate = await issue({
      subject: 'CN=constrained',
      issuer: pki.root,
      uris: ['spiffe://example.org'],
      ca: true,
      keyUsage: CA_KU,
      nameConstraints: { permitted: [{ type: 'dns', value: '' }, { type: 'uri', value: 'example.org' }], excluded: [{ type: 'uri', value: '.example.org' }] },
    })
    const leaf = await leafUnder(intermediate, { dns: ['api.example.org'] })
    expect((await verifier([leaf.der, intermediate.der])).id.id).toBe('spiffe://example.org/workload')
  })
})
