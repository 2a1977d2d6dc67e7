// fast-check: whatever the input, verifyWIT rejects only with a VerificationError and decodeWIT
// throws only a VerificationError (never a TypeError, RangeError or SyntaxError from inside).
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { TrustBundleSource } from '../../src/bundle/index.js'
import { VerificationError } from '../../src/errors/index.js'
import { encode } from '../../src/internal/base64url.js'
import type { PublicJWK } from '../../src/signer/index.js'
import { createWIT, decodeWIT, verifyWIT, type VerifyWITOptions } from '../../src/wit/index.js'
import { baseClaims, baseHeader, bundlesFor, clockAt, forge, issuer, NOW, part, SUB, TD, workloadJwk, type TestIssuer } from '../helpers/wit.js'

const RUNS = Number(process.env.FC_RUNS ?? 200)

let iss: TestIssuer
let cnf: PublicJWK
let valid: string
let trustBundles: TrustBundleSource
let options: VerifyWITOptions

beforeAll(async () => {
  iss = await issuer('ES256', 'k1')
  cnf = await workloadJwk('ES256')
  trustBundles = bundlesFor([TD, [iss.jwk]], ['spiffe.example', [iss.jwk]])
  options = { trustBundles, clock: clockAt(NOW) }
  valid = await createWIT({ sub: SUB, publicJwk: cnf }, { signer: iss.signer, clock: clockAt(NOW) })
})

async function onlyVerificationErrors(token: unknown, extra: Partial<VerifyWITOptions> = {}): Promise<void> {
  try {
    const wit = await verifyWIT(token as string, { ...options, ...extra })
    expect(Object.isFrozen(wit.claims)).toBe(true)
    expect(wit.id).toBe(wit.claims.sub)
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err
    expect(err.status).toBe(400)
  }
  try {
    decodeWIT(token as string)
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err
  }
}

const b64 = fc.uint8Array({ maxLength: 96 }).map((b) => encode(b))
const jsonPart = fc.jsonValue({ maxDepth: 3 }).map((v) => part(JSON.stringify(v) ?? 'null'))
const identifiers = fc.oneof(
  fc.constantFrom(SUB, 'spiffe://example.org/a', 'spiffe://spiffe.example/ns/x', 'wimse://example.org', 'wimse://example.org/%20', 'wimse://[::1]/a', 'spiffe://example.org/a/'),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((s) => `wimse://example.org/${s}`),
  fc.string({ maxLength: 20 }).map((s) => `spiffe://${s}/a`),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `wimse://${s}`),
)
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined))

describe('verifyWIT / decodeWIT never throw anything but a VerificationError', () => {
  it('arbitrary strings', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), (s) => onlyVerificationErrors(s)), { numRuns: RUNS })
  })

  it('arbitrary non-string values', async () => {
    await fc.assert(fc.asyncProperty(fc.anything(), (v) => onlyVerificationErrors(v)), { numRuns: RUNS })
  })

  it('three base64url segments of arbitrary bytes and JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(b64, jsonPart), fc.oneof(b64, jsonPart), b64, (h, p, s) => onlyVerificationErrors(`${h}.${p}.${s}`)),
      { numRuns: RUNS },
    )
  })

  it('mutations of a valid token (replace, insert, delete characters)', async () => {
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'insert', 'delete'), ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) })
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let t = valid
        for (const e of edits) {
          const i = e.at % (t.length + 1)
          t = e.kind === 'insert' ? t.slice(0, i) + e.ch + t.slice(i) : e.kind === 'delete' ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + e.ch + t.slice(i + 1)
        }
        await onlyVerificationErrors(t)
      }),
      { numRuns: RUNS },
    )
  })

  it('correctly signed tokens with hostile headers and claims', async () => {
    const header = fc.record(
      { alg: fc.oneof(fc.constantFrom('ES256', 'none', 'HS256', 'EdDSA'), anyValue), typ: fc.oneof(fc.constantFrom('wit+jwt', 'application/wit+jwt', 'wimse-id+jwt', 'JWT'), anyValue), kid: fc.oneof(fc.constantFrom('k1', 'k2', ''), anyValue), crit: anyValue },
      { requiredKeys: [] },
    )
    const cnfValue = fc.oneof(
      fc.constant({ jwk: cnf }),
      fc.record({ jwk: fc.record({ kty: fc.oneof(fc.constantFrom('EC', 'OKP', 'RSA', 'oct'), anyValue), crv: fc.oneof(fc.constantFrom('P-256', 'Ed25519', 'P-521'), anyValue), x: fc.oneof(b64, anyValue), y: fc.oneof(b64, anyValue), n: fc.oneof(b64, anyValue), e: fc.oneof(b64, anyValue), alg: fc.oneof(fc.constantFrom('ES256', 'EdDSA', 'RS256', 'none', 'HS256'), anyValue), d: anyValue }, { requiredKeys: [] }) }),
      anyValue,
    )
    const time = fc.oneof(fc.integer({ min: NOW - 100_000, max: NOW + 100_000 }), fc.double(), anyValue)
    const claims = fc.record(
      { sub: fc.oneof(identifiers, anyValue), exp: time, iat: time, nbf: time, iss: anyValue, jti: anyValue, aud: anyValue, cnf: cnfValue },
      { requiredKeys: [] },
    )
    const profile = fc.constantFrom<Partial<VerifyWITOptions>>({}, { profile: 'spiffe' }, { issuers: ['https://id.example.org'] }, { acceptLegacyTyp: false })
    await fc.assert(
      fc.asyncProperty(header, claims, profile, async (h, c, extra) => {
        const token = await forge({ ...baseHeader(iss.signer), ...h }, { ...baseClaims(cnf), ...c }, iss.signer)
        await onlyVerificationErrors(token, extra)
      }),
      { numRuns: RUNS },
    )
  })
})
