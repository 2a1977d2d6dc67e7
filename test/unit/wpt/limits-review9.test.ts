// Review round 9: documented limits of verifyWPT / verifyWIT checked at the boundary.
import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { createCompactJWS } from '../../../src/signer/index.js'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { verifyWPT } from '../../../src/wpt/index.js'
import { bundlesFor, clockAt, issuer, TD, workloadJwk } from '../../helpers/wit.js'
import { at, makeWorkload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const URI = 'https://api.example.com/orders'
const h = (s: string): string => createHash('sha256').update(Buffer.from(s, 'ascii')).digest('base64url')

describe('verifyWPT maxLifetime is exp − now ≤ maxLifetime + clockTolerance (review 9)', () => {
  it('accepts exp = now + maxLifetime + clockTolerance and refuses one second more', async () => {
    const w = await makeWorkload({ now: NOW })
    const proof = (exp: number) => createCompactJWS({ typ: 'wpt+jwt' }, { aud: URI, exp, jti: `j${exp}`, wth: h(w.wit) }, w.signer)
    const opts = { wit: w.verified, uri: URI, clock: at(NOW) }
    await expect(verifyWPT(await proof(NOW + 300 + 30), opts)).resolves.toMatchObject({ expiresAt: NOW + 330 })
    await expect(verifyWPT(await proof(NOW + 331), opts)).rejects.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' })
    await expect(verifyWPT(await proof(NOW + 60), { ...opts, maxLifetime: 60, clockTolerance: 0 })).resolves.toBeDefined()
    await expect(verifyWPT(await proof(NOW + 61), { ...opts, maxLifetime: 60, clockTolerance: 0 })).rejects.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' })
  })
})

describe('verifyWIT maxLifetime without iat is exp − now ≤ maxLifetime + clockTolerance (review 9)', () => {
  it('accepts the boundary and refuses one second more', async () => {
    const iss = await issuer('ES256')
    const jwk = await workloadJwk('ES256')
    const trustBundles = bundlesFor([TD, [iss.jwk]])
    const mint = async (exp: number): Promise<string> => {
      const wit = await createWIT({ sub: `wimse://${TD}/a`, publicJwk: jwk, exp, iat: NOW }, { signer: iss.signer, clock: clockAt(NOW) })
      const p = wit.split('.')[1]
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>
      delete claims.iat
      return createCompactJWS({ typ: 'wit+jwt' }, claims, iss.signer)
    }
    const opts = { trustBundles, clock: clockAt(NOW), maxLifetime: 600, clockTolerance: 30 }
    await expect(verifyWIT(await mint(NOW + 630), opts)).resolves.toBeDefined()
    await expect(verifyWIT(await mint(NOW + 631), opts)).rejects.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' })
  })
})

describe('verifyWPT maxTokenBytes (characters, 256–65536, default 8192) (review 9)', () => {
  it('is checked before parsing at limit + 1; the option range is enforced', async () => {
    const w = await makeWorkload({ now: NOW })
    const opts = { wit: w.verified, uri: URI, clock: at(NOW) }
    const long = 'a'.repeat(8193)
    await expect(verifyWPT(long, opts)).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' })
    await expect(verifyWPT('a'.repeat(8192), opts)).rejects.toMatchObject({ code: 'ERR_WPT_INVALID' })
    await expect(verifyWPT('a'.repeat(257), { ...opts, maxTokenBytes: 256 })).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' })
    for (const bad of [255, 65_537, 1000.5, Number.NaN]) {
      await expect(verifyWPT('x', { ...opts, maxTokenBytes: bad })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    }
  })
})
