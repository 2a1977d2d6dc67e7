// verifyWPT on hostile input: whatever the token, header values or claims, it either returns a
// VerifiedWPT or rejects with a VerificationError — never a TypeError, never an untyped error.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../src/errors/index.js'
import { createCompactJWS } from '../../src/signer/index.js'
import { createWPT, verifyWPT } from '../../src/wpt/index.js'
import { at, makeWorkload, testReplayCache } from '../helpers/wpt.js'

const NOW = 1_800_000_000
const URI = 'https://api.example.com/p'
const RUNS = Number(process.env.FC_RUNS ?? 150)

async function outcome(p: Promise<unknown>): Promise<'ok' | 'typed'> {
  try {
    await p
    return 'ok'
  } catch (e) {
    if (e instanceof VerificationError) return 'typed'
    throw e
  }
}

const json = fc.jsonValue({ maxDepth: 2 })
const claimValue = fc.oneof(json, fc.string(), fc.integer(), fc.double(), fc.constant(NOW + 60), fc.constant(URI))

describe('verifyWPT property', () => {
  it('rejects arbitrary strings with typed errors only', async () => {
    const w = await makeWorkload({ now: NOW })
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_.-]{0,200}$/)), async (token) => {
        expect(await outcome(verifyWPT(token, { wit: w.verified, uri: URI, clock: at(NOW) }))).toBe('typed')
      }),
      { numRuns: RUNS },
    )
  })

  it('signed tokens with arbitrary headers and claims only ever fail with typed errors', async () => {
    const w = await makeWorkload({ now: NOW })
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('typ', 'kid', 'jwk', 'x5c', 'cty', 'zip'), claimValue, { maxKeys: 3 }),
        fc.dictionary(fc.constantFrom('aud', 'exp', 'jti', 'wth', 'ath', 'tth', 'oth', 'htm', 'iss', 'nbf', 'iat', 'x'), claimValue, { maxKeys: 8 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.option(fc.dictionary(fc.stringMatching(/^x-[a-z]{1,5}$/), fc.string({ maxLength: 20 }), { maxKeys: 2 }), { nil: undefined }),
        async (header, claims, accessToken, txnToken, otherTokens) => {
          const token = await createCompactJWS(header, claims, w.signer)
          const r = await outcome(
            verifyWPT(token, { wit: w.verified, uri: URI, clock: at(NOW), replayCache: testReplayCache(at(NOW)), accessToken, txnToken, otherTokens, method: 'GET' }),
          )
          expect(['ok', 'typed']).toContain(r)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('any single-character change to a valid proof is rejected with a typed error', async () => {
    const w = await makeWorkload({ now: NOW })
    const token = await createWPT({ wit: w.wit, signer: w.signer, uri: URI, accessToken: 'at', clock: at(NOW) })
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.,= '
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (i, c) => {
        fc.pre(token[i] !== c)
        const mutated = token.slice(0, i) + c + token.slice(i + 1)
        // A change confined to the unused low bits of the last base64url character is refused as
        // non-canonical; everything else breaks parsing, the signature or a claim.
        expect(await outcome(verifyWPT(mutated, { wit: w.verified, uri: URI, clock: at(NOW), accessToken: 'at' }))).toBe('typed')
      }),
      { numRuns: RUNS },
    )
  })
})
