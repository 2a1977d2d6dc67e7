// Review round 8: hostile --keys/@file inputs (a FIFO nobody writes to, invalid UTF-8) and what
// `inspect --keys` says when no given key can check the token.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/index.js'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'

const root = resolve(import.meta.dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'agentauth-cli-review8-'))
function file(name: string, value: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value))
  return path
}
const statusOf = (out: string): string => out.split('\n')[1]!

describe('agentauth CLI (review 8)', () => {
  it.skipIf(process.platform === 'win32')('a FIFO (or a symlink to one) that nobody writes to ends in one line and exit 1, not a hang', () => {
    const fifo = join(dir, 'fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    symlinkSync(fifo, join(dir, 'fifo-link.json'))
    for (const args of [['inspect', `@${join(dir, 'fifo-link.json')}`], ['inspect', 'a.b.c', '--keys', join(dir, 'fifo-link.json')], ['verify', `@${fifo}`]]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/bin.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 15_000 })
      expect(r.signal).toBeNull() // not killed by the timeout
      expect(r.status).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^agentauth: .*fifo/)
    }
  }, 60_000)

  it('refuses a file that is not UTF-8 instead of reading it with U+FFFD in place of the bad bytes', async () => {
    const bad = file('bad-utf8.json', new Uint8Array([...new TextEncoder().encode('{"keys":[{"kty":"EC","kid":"'), 0xff, ...new TextEncoder().encode('"}]}')]))
    await expect(main(['inspect', 'a.b.c', '--keys', bad])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/UTF-8/) })
  })

  it('inspect --keys does not call a signature INVALID when no given key fits the token (kid, kty, curve, alg)', async () => {
    const signer = await generateSigner('ES256', { kid: 'k1' })
    const token = await createCompactJWS({ typ: 'at+jwt', kid: 'k1' }, { sub: 'a' }, signer)
    const rsa = await (await generateSigner('RS256', { kid: 'k1' })).publicJwk()
    const p384 = await (await generateSigner('ES384')).publicJwk()
    const wrongAlg = { ...(await (await generateSigner('ES256')).publicJwk()), alg: 'ES384' }
    for (const keys of [[rsa], [p384], [wrongAlg], [rsa, p384, wrongAlg]]) {
      const status = statusOf((await main(['inspect', token, '--keys', file('keys.json', { keys })])).out)
      expect(status).toMatch(/^status: SIGNATURE NOT CHECKED/)
    }
    // A key that fits but is malformed cannot check anything either.
    const broken = { ...(await signer.publicJwk()), x: 'AAAA' }
    expect(statusOf((await main(['inspect', token, '--keys', file('keys.json', [broken])])).out)).toMatch(/^status: SIGNATURE NOT CHECKED/)
    // Another ES256 key (no kid) that fits is a real check, and fails.
    const other = await (await generateSigner('ES256')).publicJwk()
    expect(statusOf((await main(['inspect', token, '--keys', file('keys.json', [rsa, other])])).out)).toBe('status: SIGNATURE INVALID for every given key that fits (1 tried)')
    // The right key still verifies, among others that do not fit.
    expect(statusOf((await main(['inspect', token, '--keys', file('keys.json', [rsa, p384, await signer.publicJwk()])])).out)).toMatch(/^status: SIGNATURE VERIFIED/)
  })

  it('main refuses an argv that is not an array of strings with a coded TypeError', async () => {
    for (const argv of [null, undefined, 'inspect', ['inspect', 5], ['verify', {}]]) {
      await expect(main(argv as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    }
  })
})
