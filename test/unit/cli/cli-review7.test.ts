// Review round 7: the CLI's error paths on odd key files, and its labels for look-alike typ values.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/index.js'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'

const dir = mkdtempSync(join(tmpdir(), 'agentauth-cli-review7-'))
function file(name: string, value: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(value))
  return path
}

describe('agentauth CLI (review 7)', () => {
  it('verify at|set refuses a --keys file with a null entry with a usage error, not an uncoded TypeError', async () => {
    const issuer = await generateSigner('ES256', { kid: 'k1' })
    const now = Math.floor(Date.now() / 1000)
    const at = await createCompactJWS({ typ: 'at+jwt', kid: 'k1' }, { iss: 'https://as.example', aud: 'https://api.example', sub: 'alice', client_id: 'c', iat: now, exp: now + 600, jti: 'j1' }, issuer)
    const set = await createCompactJWS({ typ: 'secevent+jwt', kid: 'k1' }, { iss: 'https://as.example', aud: 'https://api.example', iat: now, jti: 'j2', sub_id: { format: 'opaque', id: 'x' }, events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': { event_timestamp: now } } }, issuer)
    const common = ['--issuer', 'https://as.example', '--audience', 'https://api.example']
    for (const [token, keys] of [[at, [null]], [at, { keys: [null] }], [set, { keys: [null] }], [set, [await issuer.publicJwk(), 7]]] as const) {
      await expect(main(['verify', token, ...common, '--keys', file('bad.json', keys)])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: '--keys must hold a JWKS, a list of JWKs or one JWK' })
    }
    // The forms inspect --keys takes work here too: a JWKS, a list of JWKs, one JWK.
    const jwk = await issuer.publicJwk()
    for (const keys of [{ keys: [jwk] }, [jwk], jwk]) {
      expect((await main(['verify', at, ...common, '--keys', file('good.json', keys)])).out).toMatch(/^VALID access token/)
      expect((await main(['verify', set, ...common, '--keys', file('good.json', keys)])).out).toMatch(/^VALID SET/)
    }
  })

  it('inspect names a kind from an ASCII typ only: txntoKen+jwt with a Kelvin sign is not a Transaction Token', async () => {
    const signer = await generateSigner('ES256')
    const kelvin = await createCompactJWS({ typ: 'txnto\u212Aen+jwt' }, { sub: 'a' }, signer)
    const out = (await main(['inspect', kelvin])).out
    expect(out.split('\n')[0]).toBe('JWT (typ txnto\u212Aen+jwt)')
    // The ASCII forms are still named, in any case and with the application/ prefix.
    const ascii = await createCompactJWS({ typ: 'application/TxnToken+JWT' }, { sub: 'a' }, signer)
    expect((await main(['inspect', ascii])).out.split('\n')[0]).toBe('Transaction Token')
  })
})
