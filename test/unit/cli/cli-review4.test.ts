// Review round 4: the CLI as a newcomer meets it (closed pipes, overwriting keys, odd flag values).
import { spawn } from 'node:child_process'
import { existsSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/index.js'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'

const root = new URL('../../../', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'agentauth-cli-review4-'))

/** Runs the bin with its stdout closed by the reader before anything is written (`… | head -0`). */
function runWithClosedStdout(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/bin.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stderr }))
  })
}

describe('agentauth CLI (review 4)', () => {
  it('exits without a stack trace when the reader of its output has gone away (EPIPE)', async () => {
    const key = await generateSigner('ES256')
    const token = await createCompactJWS({ typ: 'JWT' }, { sub: 'a' }, key)
    const r = await runWithClosedStdout(['inspect', token])
    expect(r.stderr).not.toMatch(/EPIPE|throw er|\n\s+at /)
    expect(r.status).toBe(0)
  }, 30_000)

  it('keygen --out refuses to replace an existing key pair (either file) unless --force is given', async () => {
    const out = join(dir, 'issuer.json')
    await main(['keygen', '--kid', 'first', '--out', out])
    const before = readFileSync(out, 'utf8')
    await expect(main(['keygen', '--out', out])).rejects.toThrow(`${out} already exists (pass --force to replace it)`)
    expect(readFileSync(out, 'utf8')).toBe(before)
    // Only the public half is there: nothing is written, not even the private key.
    const lone = join(dir, 'lone.json')
    writeFileSync(join(dir, 'lone.pub.json'), '{"kept":true}\n')
    await expect(main(['keygen', '--out', lone])).rejects.toThrow('lone.pub.json already exists')
    expect(existsSync(lone)).toBe(false)
    expect(readFileSync(join(dir, 'lone.pub.json'), 'utf8')).toBe('{"kept":true}\n')
    // A dangling symlink counts as existing too; the file it points to is never created.
    symlinkSync(join(dir, 'nowhere.json'), join(dir, 'dangling.json'))
    await expect(main(['keygen', '--out', join(dir, 'dangling.json')])).rejects.toThrow('already exists')
    expect(existsSync(join(dir, 'nowhere.json'))).toBe(false)
    // --force replaces both, with the private key at 0600 and the link replaced, not followed.
    expect((await main(['keygen', '--kid', 'second', '--out', out, '--force'])).code).toBe(0)
    expect(JSON.parse(readFileSync(out, 'utf8')).kid).toBe('second')
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect((await main(['keygen', '--out', join(dir, 'dangling.json'), '--force'])).code).toBe(0)
    expect(lstatSync(join(dir, 'dangling.json')).isSymbolicLink()).toBe(false)
    expect(existsSync(join(dir, 'nowhere.json'))).toBe(false)
    await expect(main(['keygen', '--out', out, '--force=yes'])).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' })
  })

  it('verify --at takes decimal epoch seconds only: an empty value is not 1970', async () => {
    const key = await generateSigner('ES256')
    const token = await createCompactJWS({ typ: 'wit+jwt' }, { sub: 'spiffe://example.org/a' }, key)
    for (const at of ['', ' ', '0x10', '1e9', 'Infinity']) {
      await expect(main(['verify', token, '--bundle', join(dir, 'none.json'), '--at', at])).rejects.toThrow('--at must be epoch seconds')
    }
  })

  it('escapes every bidi formatting character Trojan Source uses, the Arabic letter mark included', async () => {
    const key = await generateSigner('ES256')
    const marks = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']
    const token = await createCompactJWS({ typ: 'JWT' }, { sub: `admin${marks.join('')}` }, key)
    const view = (await main(['inspect', token])).out
    for (const m of marks) expect(view).not.toContain(m)
    expect(view).toContain('sub: "admin\\u{61c}\\u{200e}')
  })

  it('main rejects every usage error with a stable code (a coded TypeError), not a bare Error', async () => {
    const token = await createCompactJWS({ typ: 'JWT' }, { sub: 'a' }, await generateSigner('ES256'))
    writeFileSync(join(dir, 'taken.json'), '{}')
    const usage = [
      ['frobnicate'], ['wit', 'burn'], ['inspect'], ['inspect', 'not a token'], ['inspect', `@${join(dir, 'missing.txt')}`],
      ['keygen', '--alg', 'none'], ['wit', 'mint'], ['verify', token, '--kind', 'jwt'], ['verify', token], ['keygen', '--out', join(dir, 'taken.json')],
    ]
    for (const argv of usage) {
      const err = await main(argv).then(() => undefined, (e: unknown) => e)
      expect(err, argv.join(' ')).toBeInstanceOf(TypeError)
      expect(err, argv.join(' ')).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
  })

  it('inspect --keys refuses a key list with an entry that is not a JSON object (a coded usage error, not a crash)', async () => {
    const token = await createCompactJWS({ typ: 'JWT', kid: 'k1' }, { sub: 'a' }, await generateSigner('ES256', { kid: 'k1' }))
    for (const keys of ['{"keys":[null]}', '[null]', '[5, "x"]', '{"keys":[[]]}']) {
      writeFileSync(join(dir, 'odd-keys.json'), keys)
      await expect(main(['inspect', token, '--keys', join(dir, 'odd-keys.json')]), keys).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: '--keys must hold a JWKS, a list of JWKs or one JWK' })
    }
  })
})
