// Negative matrix: malformed and hostile WITs, each rejected with its exact error code. Tokens that
// must reach the later checks are correctly signed by the trusted issuer (see test/helpers/wit.ts).
import { createHmac } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { encode } from '../../../src/internal/base64url.js'
import { utf8 } from '../../../src/internal/bytes.js'
import type { PublicJWK } from '../../../src/signer/index.js'
import { decodeWIT, verifyWIT, type VerifyWITOptions } from '../../../src/wit/index.js'
import { baseClaims, baseHeader, bundlesFor, clockAt, forge, issuer, NOW, part, SUB, TD, workloadJwk, type TestIssuer } from '../../helpers/wit.js'

let iss: TestIssuer
let stranger: TestIssuer // trusted for other.example only
let impostor: TestIssuer // same kid as iss, untrusted key
let cnf: PublicJWK
let edCnf: PublicJWK
let rsaCnf: PublicJWK
let options: VerifyWITOptions

beforeAll(async () => {
  iss = await issuer('ES256', 'issuer-1')
  stranger = await issuer('ES256', 'issuer-2')
  impostor = await issuer('ES256', 'issuer-1')
  cnf = await workloadJwk('ES256')
  edCnf = await workloadJwk('EdDSA')
  rsaCnf = await workloadJwk('PS256')
  options = { trustBundles: bundlesFor([TD, [iss.jwk]], ['other.example', [stranger.jwk]]), clock: clockAt(NOW), clockTolerance: 30 }
})

const sign = (header: unknown, payload: unknown) => forge(header, payload, iss.signer)
const good = () => sign(baseHeader(iss.signer), baseClaims(cnf))
const claims = (o: Record<string, unknown>) => sign(baseHeader(iss.signer), baseClaims(cnf, o))
const withHeader = (o: Record<string, unknown>) => sign(baseHeader(iss.signer, o), baseClaims(cnf))
const without = (name: string) => {
  const c = baseClaims(cnf)
  delete c[name]
  return sign(baseHeader(iss.signer), c)
}
const withCnfJwk = (jwk: Record<string, unknown>) => claims({ cnf: { jwk } })
const spiffe = { sub: 'spiffe://example.org/ns/prod/sa/api' }

/** Changes the last base64url character so the unused trailing bits are non-zero. */
function nonCanonical(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = alphabet.indexOf(segment.at(-1)!)
  return segment.slice(0, -1) + alphabet[last | 1]
}

const segments = async (): Promise<[string, string, string]> => (await good()).split('.') as [string, string, string]

type Case = [name: string, token: () => Promise<string> | string, code: string, extra?: () => Partial<VerifyWITOptions>]

const cases: Case[] = [
  // -- structure --
  ['not a string', () => 42 as unknown as string, 'ERR_WIT_INVALID'],
  ['empty string', () => '', 'ERR_WIT_INVALID'],
  ['oversized token', async () => claims({ pad: 'x'.repeat(9000) }), 'ERR_INPUT_TOO_LARGE'],
  ['oversized for a custom limit', good, 'ERR_INPUT_TOO_LARGE', () => ({ maxTokenLength: 200 })],
  ['2 segments', async () => (await segments()).slice(0, 2).join('.'), 'ERR_WIT_INVALID'],
  ['4 segments', async () => [...(await segments()), 'AAAA'].join('.'), 'ERR_WIT_INVALID'],
  ['5 segments (JWE shape)', async () => [...(await segments()), 'AAAA', 'AAAA'].join('.'), 'ERR_WIT_INVALID'],
  ['empty signature segment', async () => { const [h, p] = await segments(); return `${h}.${p}.` }, 'ERR_WIT_INVALID'],
  ['empty payload segment', async () => { const [h, , s] = await segments(); return `${h}..${s}` }, 'ERR_WIT_INVALID'],
  ['only dots', () => '..', 'ERR_WIT_INVALID'],
  ['padding "="', async () => { const [h, p, s] = await segments(); return `${h}.${p}.${s}==` }, 'ERR_WIT_INVALID'],
  ['leading whitespace', async () => ` ${await good()}`, 'ERR_WIT_INVALID'],
  ['trailing newline', async () => `${await good()}\n`, 'ERR_WIT_INVALID'],
  ['standard base64 alphabet (+ /)', async () => { const [h, p, s] = await segments(); return `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}x+/` }, 'ERR_WIT_INVALID'],
  ['non-canonical base64url in the signature', async () => { const [h, p, s] = await segments(); return `${h}.${p}.${nonCanonical(s)}` }, 'ERR_WIT_INVALID'],
  ['non-canonical base64url in the header', async () => {
    let header = baseHeader(iss.signer)
    while (part(header).length % 4 === 0) header = { ...header, x: `${String(header.x ?? '')}a` }
    const [, p, s] = await segments()
    return `${nonCanonical(part(header))}.${p}.${s}`
  }, 'ERR_WIT_INVALID'],
  ['invalid UTF-8 in the header', () => sign(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), baseClaims(cnf)), 'ERR_WIT_INVALID'],
  ['invalid UTF-8 in the payload', () => sign(baseHeader(iss.signer), new Uint8Array([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])), 'ERR_WIT_INVALID'],
  ['header is not JSON', () => sign('not json', baseClaims(cnf)), 'ERR_WIT_INVALID'],
  ['header is a JSON array', () => sign([baseHeader(iss.signer)], baseClaims(cnf)), 'ERR_WIT_INVALID'],
  ['payload is a JSON array', () => sign(baseHeader(iss.signer), [baseClaims(cnf)]), 'ERR_WIT_INVALID'],
  ['payload is a JSON number', () => sign(baseHeader(iss.signer), '12345'), 'ERR_WIT_INVALID'],
  ['payload is JSON null', () => sign(baseHeader(iss.signer), 'null'), 'ERR_WIT_INVALID'],
  ['payload is a JSON string', () => sign(baseHeader(iss.signer), '"wimse://example.org/a"'), 'ERR_WIT_INVALID'],
  ['crit header', () => withHeader({ crit: ['exp'] }), 'ERR_WIT_INVALID'],
  ['b64 header', () => withHeader({ b64: false, crit: ['b64'] }), 'ERR_WIT_INVALID'],
  ['b64 header without crit', () => withHeader({ b64: true }), 'ERR_WIT_INVALID'],
  // -- typ --
  ['typ JWT', () => withHeader({ typ: 'JWT' }), 'ERR_TYP_INVALID'],
  ['typ missing', () => withHeader({ typ: undefined }), 'ERR_TYP_INVALID'],
  ['typ of a WPT', () => withHeader({ typ: 'wpt+jwt' }), 'ERR_TYP_INVALID'],
  ['typ is a number', () => withHeader({ typ: 1 }), 'ERR_TYP_INVALID'],
  ['typ with a suffix', () => withHeader({ typ: 'wit+jwt; charset=utf-8' }), 'ERR_TYP_INVALID'],
  ['legacy typ when refused', () => withHeader({ typ: 'wimse-id+jwt' }), 'ERR_TYP_INVALID', () => ({ acceptLegacyTyp: false })],
  ['legacy typ in the spiffe profile', () => sign(baseHeader(iss.signer, { typ: 'wimse-id+jwt' }), baseClaims(cnf, spiffe)), 'ERR_TYP_INVALID', () => ({ profile: 'spiffe' })],
  // -- alg --
  ['alg none with an empty signature', async () => { const [, p] = await segments(); return `${part(baseHeader(iss.signer, { alg: 'none' }))}.${p}.` }, 'ERR_WIT_INVALID'],
  ['alg none with a signature', () => withHeader({ alg: 'none' }), 'ERR_ALG_NOT_ALLOWED'],
  ['alg missing', () => withHeader({ alg: undefined }), 'ERR_ALG_NOT_ALLOWED'],
  ['alg in lower case', () => withHeader({ alg: 'es256' }), 'ERR_ALG_NOT_ALLOWED'],
  ['alg is an encryption algorithm', () => withHeader({ alg: 'RSA-OAEP' }), 'ERR_ALG_NOT_ALLOWED'],
  ['alg not in the allow-list', good, 'ERR_ALG_NOT_ALLOWED', () => ({ algorithms: ['ES384', 'EdDSA'] })],
  ['HS256 signed with the public key as the secret', () => {
    const input = `${part(baseHeader(iss.signer, { alg: 'HS256' }))}.${part(baseClaims(cnf))}`
    const mac = createHmac('sha256', JSON.stringify(iss.jwk)).update(input).digest()
    return `${input}.${encode(new Uint8Array(mac))}`
  }, 'ERR_ALG_NOT_ALLOWED'],
  ['EdDSA in the spiffe profile', async () => forge(baseHeader((await issuer('EdDSA')).signer), baseClaims(cnf, spiffe), iss.signer), 'ERR_ALG_NOT_ALLOWED', () => ({ profile: 'spiffe' })],
  // -- kid / keys / trust domain --
  ['unknown kid', () => withHeader({ kid: 'issuer-9' }), 'ERR_KEY_NOT_FOUND'],
  ['kid is a number', () => withHeader({ kid: 1 }), 'ERR_WIT_INVALID'],
  ['kid is empty', () => withHeader({ kid: '' }), 'ERR_WIT_INVALID'],
  ['no kid with an ambiguous bundle', () => withHeader({ kid: undefined }), 'ERR_KEY_NOT_FOUND', () => ({ trustBundles: bundlesFor([TD, [iss.jwk, { ...impostor.jwk, kid: 'issuer-3' }]]) })],
  ['no kid in the spiffe profile', () => sign(baseHeader(iss.signer, { kid: undefined }), baseClaims(cnf, spiffe)), 'ERR_WIT_INVALID', () => ({ profile: 'spiffe' })],
  ['signed by the key of another trust domain', () => forge(baseHeader(stranger.signer), baseClaims(cnf), stranger.signer), 'ERR_KEY_NOT_FOUND'],
  ['signed by an untrusted key reusing the trusted kid', () => forge(baseHeader(impostor.signer), baseClaims(cnf), impostor.signer), 'ERR_WIT_SIGNATURE'],
  ['untrusted trust domain', () => claims({ sub: 'wimse://unknown.example/a' }), 'ERR_KEY_NOT_FOUND'],
  ['trust domain in upper case (rejected, never normalised)', () => claims({ sub: 'wimse://Example.org/a' }), 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR'],
  ['payload altered after signing', async () => { const [h, , s] = await segments(); return `${h}.${part(baseClaims(cnf, { sub: 'wimse://example.org/admin' }))}.${s}` }, 'ERR_WIT_SIGNATURE'],
  ['signature of the wrong length', async () => { const [h, p] = await segments(); return `${h}.${p}.${encode(new Uint8Array(63))}` }, 'ERR_WIT_SIGNATURE'],
  ['signature of zeros', async () => { const [h, p] = await segments(); return `${h}.${p}.${encode(new Uint8Array(64))}` }, 'ERR_WIT_SIGNATURE'],
  // -- sub --
  ['sub missing', () => without('sub'), 'ERR_WIT_INVALID'],
  ['sub is a number', () => claims({ sub: 7 }), 'ERR_WIT_INVALID'],
  ['sub is empty', () => claims({ sub: '' }), 'ERR_WIT_INVALID'],
  ['sub is relative', () => claims({ sub: '/payments/api' }), 'ERR_IDENTIFIER_SCHEME'],
  ['sub has no authority', () => claims({ sub: 'wimse:///payments' }), 'ERR_IDENTIFIER_TRUST_DOMAIN_MISSING'],
  ['sub has a query', () => claims({ sub: `${SUB}?admin=1` }), 'ERR_IDENTIFIER_QUERY'],
  ['sub has a fragment', () => claims({ sub: `${SUB}#x` }), 'ERR_IDENTIFIER_FRAGMENT'],
  ['sub has userinfo', () => claims({ sub: 'wimse://admin@example.org/a' }), 'ERR_IDENTIFIER_USERINFO'],
  ['sub has a port', () => claims({ sub: 'wimse://example.org:8443/a' }), 'ERR_IDENTIFIER_PORT'],
  ['sub longer than 2048 bytes', () => claims({ sub: `wimse://example.org/${'a'.repeat(2100)}` }), 'ERR_IDENTIFIER_TOO_LONG'],
  ['sub is not a SPIFFE ID in the spiffe profile', () => sign(baseHeader(iss.signer), baseClaims(cnf)), 'ERR_IDENTIFIER_SCHEME', () => ({ profile: 'spiffe' })],
  ['SPIFFE sub with a dot segment', () => claims({ sub: 'spiffe://example.org/ns/../admin' }), 'ERR_IDENTIFIER_DOT_SEGMENT'],
  ['SPIFFE sub with a trailing slash', () => claims({ sub: 'spiffe://example.org/ns/' }), 'ERR_IDENTIFIER_TRAILING_SLASH'],
  // -- time --
  ['exp missing', () => without('exp'), 'ERR_WIT_INVALID'],
  ['exp is a string', () => claims({ exp: String(NOW + 60) }), 'ERR_WIT_INVALID'],
  ['exp is negative', () => claims({ exp: -1 }), 'ERR_WIT_INVALID'],
  ['expired', () => claims({ iat: NOW - 7200, exp: NOW - 3600 }), 'ERR_WIT_EXPIRED'],
  ['expired beyond the tolerance', () => claims({ iat: NOW - 3600, exp: NOW - 30 }), 'ERR_WIT_EXPIRED'],
  ['nbf in the future', () => claims({ nbf: NOW + 31 }), 'ERR_TOKEN_NOT_YET_VALID'],
  ['nbf is a boolean', () => claims({ nbf: true }), 'ERR_WIT_INVALID'],
  ['iat in the future', () => claims({ iat: NOW + 31, exp: NOW + 600 }), 'ERR_TOKEN_NOT_YET_VALID'],
  ['iat is a string', () => claims({ iat: 'yesterday' }), 'ERR_WIT_INVALID'],
  ['exp not after iat', () => claims({ iat: NOW + 20, exp: NOW + 10 }), 'ERR_WIT_INVALID'],
  ['lifetime (exp - iat) above the maximum', () => claims({ iat: NOW - 10, exp: NOW + 86_400 }), 'ERR_TOKEN_LIFETIME'],
  ['exp too far ahead without iat', async () => { const c = baseClaims(cnf, { exp: NOW + 90_000 }); delete c.iat; return sign(baseHeader(iss.signer), c) }, 'ERR_TOKEN_LIFETIME'],
  ['lifetime above a custom maximum', good, 'ERR_TOKEN_LIFETIME', () => ({ maxLifetime: 600 })],
  // -- iss / jti / aud --
  ['iss not allowed', () => claims({ iss: 'https://evil.example' }), 'ERR_WIT_INVALID', () => ({ issuers: ['https://id.example.org'] })],
  ['iss missing with an allow-list', good, 'ERR_WIT_INVALID', () => ({ issuers: ['https://id.example.org'] })],
  ['iss not in the bundle allow-list', () => claims({ iss: 'https://evil.example' }), 'ERR_WIT_INVALID', () => ({ trustBundles: bundlesFor([TD, { keys: [iss.jwk], issuers: ['https://id.example.org'] }]) })],
  ['iss is a number', () => claims({ iss: 1 }), 'ERR_WIT_INVALID'],
  ['jti is a number', () => claims({ jti: 12 }), 'ERR_WIT_INVALID'],
  ['aud in the spiffe profile', () => claims({ ...spiffe, aud: 'spiffe://example.org/b' }), 'ERR_WIT_INVALID', () => ({ profile: 'spiffe' })],
  // -- cnf --
  ['cnf missing', () => without('cnf'), 'ERR_WIT_CNF_INVALID'],
  ['cnf is a string', () => claims({ cnf: 'key' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf without jwk', () => claims({ cnf: { kid: 'k' } }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk is an array', () => claims({ cnf: { jwk: [cnf] } }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk with a private member d', () => withCnfJwk({ ...cnf, d: 'AAAA' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk symmetric (k)', () => withCnfJwk({ kty: 'oct', k: 'c2VjcmV0', alg: 'HS256' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk alg missing', () => withCnfJwk({ ...cnf, alg: undefined }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk alg none', () => withCnfJwk({ ...cnf, alg: 'none' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk alg HS256', () => withCnfJwk({ ...cnf, alg: 'HS256' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk kty/alg mismatch', () => withCnfJwk({ ...cnf, alg: 'EdDSA' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk crv/alg mismatch', () => withCnfJwk({ ...cnf, alg: 'ES384' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk coordinate of the wrong length', () => withCnfJwk({ ...cnf, x: encode(new Uint8Array(31)) }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk coordinate not base64url', () => withCnfJwk({ ...cnf, y: 'not base64!' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk RSA modulus of 1024 bits', () => withCnfJwk({ ...rsaCnf, n: encode(new Uint8Array(128).fill(0xff)) }), 'ERR_WIT_CNF_INVALID'],
  // e = 1 makes the padded hash its own signature: anyone who sees the WIT could forge WPTs.
  ['cnf.jwk RSA exponent 1', () => withCnfJwk({ ...rsaCnf, e: 'AQ' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk RSA exponent even', () => withCnfJwk({ ...rsaCnf, e: 'AQAA' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk RSA exponent with a leading zero byte', () => withCnfJwk({ ...rsaCnf, e: 'AAEAAQ' }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk RSA 512-bit modulus padded with zero bytes to 2048 bits', () => withCnfJwk({ ...rsaCnf, n: encode(new Uint8Array(256).fill(0xff, 192)) }), 'ERR_WIT_CNF_INVALID'],
  ['cnf.jwk alg outside proofAlgorithms', () => withCnfJwk({ ...edCnf }), 'ERR_WIT_CNF_INVALID', () => ({ proofAlgorithms: ['ES256'] })],
  ['cnf.jwk EdDSA in the spiffe profile', () => claims({ ...spiffe, cnf: { jwk: edCnf } }), 'ERR_WIT_CNF_INVALID', () => ({ profile: 'spiffe' })],
]

describe('verifyWIT negative matrix', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  it.each(cases)('%s → %s', async (_name, build, code, extra) => {
    const token = await build()
    const opts = { ...options, ...(extra?.() ?? {}) }
    const err = await verifyWIT(token, opts).then(
      () => { throw new Error('token was accepted') },
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).code).toBe(code)
    expect((err as VerificationError).status).toBe(400)
  })

  it('the well-formed baseline token verifies (so each case fails for its own reason)', async () => {
    await expect(verifyWIT(await good(), options)).resolves.toMatchObject({ id: SUB })
    await expect(verifyWIT(await claims(spiffe), { ...options, profile: 'spiffe' })).resolves.toMatchObject({ id: spiffe.sub })
  })

  it('decodeWIT rejects the cases that need neither keys nor a clock with the same codes', async () => {
    const keyOrTime = new Set(['ERR_KEY_NOT_FOUND', 'ERR_WIT_SIGNATURE', 'ERR_WIT_EXPIRED', 'ERR_TOKEN_NOT_YET_VALID', 'ERR_TOKEN_LIFETIME'])
    const structural = cases.filter(([name, , code, extra]) => extra === undefined && !keyOrTime.has(code) && name !== 'exp not after iat')
    for (const [name, build, code] of structural) {
      const token = await build()
      let thrown: unknown
      try {
        decodeWIT(token)
      } catch (err) {
        thrown = err
      }
      expect(thrown, name).toBeInstanceOf(VerificationError)
      expect((thrown as VerificationError).code, name).toBe(code)
    }
    expect(structural.length).toBeGreaterThan(60)
  })
})

describe('duplicate JSON member names (RFC 7515 §4: the lexically last one wins)', () => {
  it('header: the last typ is the one checked', async () => {
    const h = `{"alg":"ES256","kid":"issuer-1","typ":"JWT","typ":"wit+jwt"}`
    await expect(verifyWIT(await sign(h, baseClaims(cnf)), options)).resolves.toBeDefined()
    const bad = `{"alg":"ES256","kid":"issuer-1","typ":"wit+jwt","typ":"JWT"}`
    await expect(verifyWIT(await sign(bad, baseClaims(cnf)), options)).rejects.toMatchObject({ code: 'ERR_TYP_INVALID' })
  })

  it('payload: the last sub is the identity (and the one whose trust domain picks the key)', async () => {
    const c = baseClaims(cnf)
    const json = JSON.stringify(c).replace('{', `{"sub":"wimse://other.example/x",`)
    const wit = await verifyWIT(await sign(baseHeader(iss.signer), json), options)
    expect(wit.id).toBe(SUB)
    expect(wit.claims.sub).toBe(SUB)
    // and a duplicate whose last value is in another trust domain is looked up there (and fails)
    const json2 = JSON.stringify({ ...c, sub: undefined }).replace('{', `{"sub":"${SUB}",`).replace(/}$/, ',"sub":"wimse://other.example/x"}')
    await expect(verifyWIT(await sign(baseHeader(iss.signer), json2), options)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
  })

  it('raw bytes are what is signed: re-serialising the payload breaks the signature', async () => {
    const token = await good()
    const [h, p, s] = token.split('.') as [string, string, string]
    const reserialised = encode(utf8(JSON.stringify(JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(p.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0)))), null, 1)))
    await expect(verifyWIT(`${h}.${reserialised}.${s}`, options)).rejects.toMatchObject({ code: 'ERR_WIT_SIGNATURE' })
  })
})
