import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/index.js'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'

const root = new URL('../../../', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'agentauth-cli-'))
/** Tests that start the bin (tsx startup: seconds on a loaded machine) get more than the default 5 s. */
const SPAWN_TIMEOUT = 30_000

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/bin.ts'), ...args], { encoding: 'utf8', cwd: root })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('agentauth CLI', () => {
  it('has --help on every command', async () => {
    for (const cmd of [['--help'], ['keygen', '--help'], ['wit', '--help'], ['wit', 'mint', '--help'], ['inspect', '--help'], ['verify', '--help']]) {
      const r = await main(cmd)
      expect(r.code).toBe(0)
      expect(r.out).toMatch(/usage: agentauth/)
    }
  })

  it('keygen → wit mint → inspect → verify, through files', async () => {
    writeFileSync(join(dir, 'bundle-placeholder'), '')
    await main(['keygen', '--alg', 'ES256', '--kid', 'issuer-1', '--out', join(dir, 'issuer.json')])
    await main(['keygen', '--alg', 'EdDSA', '--out', join(dir, 'agent.json')])
    expect(statSync(join(dir, 'issuer.json')).mode & 0o777).toBe(0o600)
    const issuerPub = JSON.parse(readFileSync(join(dir, 'issuer.pub.json'), 'utf8'))
    expect(issuerPub.d).toBeUndefined()
    const mint = await main(['wit', 'mint', '--issuer-key', join(dir, 'issuer.json'), '--kid', 'issuer-1', '--key', join(dir, 'agent.pub.json'), '--sub', 'spiffe://example.org/agents/cli', '--lifetime', '600'])
    const wit = mint.out
    expect(wit.split('.')).toHaveLength(3)

    const view = await main(['inspect', wit])
    expect(view.out).toMatch(/^Workload Identity Token \(WIT\)\nstatus: UNVERIFIED/)
    expect(view.out).toContain('sub: "spiffe://example.org/agents/cli"')

    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [issuerPub] }))
    const checked = await main(['inspect', wit, '--keys', join(dir, 'jwks.json')])
    expect(checked.out).toContain('SIGNATURE VERIFIED')

    writeFileSync(join(dir, 'bundle.json'), JSON.stringify({ 'example.org': { keys: [issuerPub] } }))
    const ok = await main(['verify', wit, '--bundle', join(dir, 'bundle.json')])
    expect(ok.out).toMatch(/^VALID WIT\n {2}workload: spiffe:\/\/example.org\/agents\/cli/)
  })

  it('shows a delegation chain as a tree', async () => {
    const as = await generateSigner('ES256', { kid: 'as' })
    const now = Math.floor(Date.now() / 1000)
    const at = await createCompactJWS({ typ: 'at+jwt' }, {
      iss: 'https://as.example.com', sub: 'alice@example.com', aud: 'https://tools.example.com', client_id: 'agent-b', iat: now, exp: now + 300, jti: 'j1',
      act: { sub: 'spiffe://example.org/agents/b', act: { sub: 'spiffe://example.org/agents/a' } },
    }, as)
    const view = (await main(['inspect', at])).out
    expect(view).toMatch(/OAuth JWT access token/)
    const tree = view.slice(view.indexOf('delegation chain:'))
    expect(tree).toBe([
      'delegation chain:',
      '  alice@example.com  (subject: the party whose authority is used)',
      '  └─ acted on by spiffe://example.org/agents/a',
      '     └─ acted on by spiffe://example.org/agents/b  (current actor)',
    ].join('\n'))
  })

  it('inspects a Signature-Input field value', async () => {
    const view = (await main(['inspect', 'wimse=("@method" "@request-target" "workload-identity-token");created=1785155797;expires=1785156097;nonce="abcd1111";tag="wimse-workload-to-workload"'])).out
    expect(view).toContain('covers: "@method" "@request-target" "workload-identity-token"')
    expect(view).toContain('tag: "wimse-workload-to-workload"')
  })

  it('prints one line and exits non-zero on errors', () => {
    const bad = run('verify', 'not-a-token', '--kind', 'wit')
    expect(bad.status).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/^agentauth: ERR_/)
    const unknown = run('frobnicate')
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toBe('agentauth: unknown command "frobnicate" (run agentauth --help)\n')
    const noargs = run()
    expect(noargs.status).toBe(2)
  }, SPAWN_TIMEOUT)

  it('refuses an expired WIT with its code', async () => {
    const wit = (await main(['wit', 'mint', '--issuer-key', join(dir, 'issuer.json'), '--kid', 'issuer-1', '--key', join(dir, 'agent.pub.json'), '--sub', 'spiffe://example.org/agents/cli', '--lifetime', '60'])).out
    const late = String(Math.floor(Date.now() / 1000) + 3600)
    const r = run('verify', wit, '--bundle', join(dir, 'bundle.json'), '--at', late)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^agentauth: ERR_WIT_EXPIRED/)
    void execFileSync
  }, SPAWN_TIMEOUT)
  it('takes the trust domain of a plain JWKS only from --trust-domain, never from the token', async () => {
    const issuerPub = JSON.parse(readFileSync(join(dir, 'issuer.pub.json'), 'utf8'))
    writeFileSync(join(dir, 'plain-jwks.json'), JSON.stringify({ keys: [issuerPub] }))
    // Minted by the example.org issuer for a workload of another trust domain.
    const cross = (await main(['wit', 'mint', '--issuer-key', join(dir, 'issuer.json'), '--kid', 'issuer-1', '--key', join(dir, 'agent.pub.json'), '--sub', 'spiffe://bank.example/payments'])).out
    await expect(main(['verify', cross, '--bundle', join(dir, 'plain-jwks.json')])).rejects.toThrow('--trust-domain is required with a plain JWKS bundle')
    await expect(main(['verify', cross, '--bundle', join(dir, 'plain-jwks.json'), '--trust-domain', 'example.org'])).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
    const own = (await main(['wit', 'mint', '--issuer-key', join(dir, 'issuer.json'), '--kid', 'issuer-1', '--key', join(dir, 'agent.pub.json'), '--sub', 'spiffe://example.org/agents/cli'])).out
    expect((await main(['verify', own, '--bundle', join(dir, 'plain-jwks.json'), '--trust-domain', 'example.org'])).out).toMatch(/^VALID WIT/)
  })

  it('keygen --out --force leaves the private key at mode 0600 even over an existing world-readable file', async () => {
    const path = join(dir, 'existing.json')
    writeFileSync(path, '{}')
    chmodSync(path, 0o644)
    await main(['keygen', '--out', path, '--force'])
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8')).d).toEqual(expect.any(String))
  })

  it('keygen --out --force replaces a symlink planted at the public key path instead of writing through it', async () => {
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'untouched\n')
    symlinkSync(victim, join(dir, 'planted.pub.json'))
    expect((await main(['keygen', '--out', join(dir, 'planted.json'), '--force'])).code).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n')
    expect(lstatSync(join(dir, 'planted.pub.json')).isSymbolicLink()).toBe(false)
    expect(JSON.parse(readFileSync(join(dir, 'planted.pub.json'), 'utf8')).d).toBeUndefined()
    expect(statSync(join(dir, 'planted.pub.json')).mode & 0o777).toBe(0o644 & ~process.umask())
  })

  it('never prints control characters from a token: no escape sequences, no forged lines', async () => {
    const key = await generateSigner('ES256', { kid: 'k1' })
    const now = Math.floor(Date.now() / 1000)
    const evil = await createCompactJWS({ typ: 'at+jwt\u001b]0;owned\u0007' }, {
      sub: 'alice', exp: now + 60, 'name\u001b[2K': 'v\u009b1A\u2028x',
      act: { sub: 'bot\nstatus: SIGNATURE VERIFIED', act: { sub: 'x\u202eevil' } },
    }, key)
    const view = (await main(['inspect', evil])).out
    expect(view).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202e]/)
    expect(view.split('\n').filter((l) => l.startsWith('status:'))).toEqual(['status: UNVERIFIED (signature not checked; pass --keys to check it)'])
    expect(view).toContain('acted on by bot\\u{a}status: SIGNATURE VERIFIED')
    expect(view).toContain('JWT (typ at+jwt\\u{1b}]0;owned\\u{7})')
    // An error built from token text stays one line too.
    const badKid = await createCompactJWS({ typ: 'wit+jwt', kid: 'k1\nsecond line\u001b[2K' }, { sub: 'spiffe://example.org/a', exp: now + 60, cnf: { jwk: await key.publicJwk() } }, key)
    const r = run('verify', badKid, '--bundle', join(dir, 'bundle.json'))
    expect(r.status).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).not.toMatch(/\u001b/)
  }, SPAWN_TIMEOUT)

  it('shows deeply nested claims without overflowing the stack', async () => {
    const key = await generateSigner('ES256')
    // Built as text: the payload is deeper than JSON.stringify can walk.
    for (const depth of [40, 24_000]) {
      const json = depth === 40 ? `{"sub":"deep","nested":${'{"n":'.repeat(depth)}true${'}'.repeat(depth)}}` : `{"sub":"deep","nested":${'['.repeat(depth)}${']'.repeat(depth)}}`
      const deep = await createCompactJWS({ typ: 'JWT' }, new TextEncoder().encode(json), key)
      const view = (await main(['inspect', deep])).out
      expect(view).toContain('sub: "deep"')
      expect(view).toMatch(depth === 40 ? /n: \{"n":\{"n":/ : /nested: \(nested too deeply to show\)/)
    }
  })

  it('inspect --keys tries keys without a kid and says when no key matched the kid', async () => {
    const key = await generateSigner('ES256', { kid: 'k1' })
    const token = await createCompactJWS({ typ: 'JWT', kid: 'k1' }, { sub: 's' }, key)
    const { kid: _kid, ...noKid } = await key.publicJwk()
    writeFileSync(join(dir, 'nokid.json'), JSON.stringify({ keys: [noKid] }))
    expect((await main(['inspect', token, '--keys', join(dir, 'nokid.json')])).out).toContain('status: SIGNATURE VERIFIED')
    writeFileSync(join(dir, 'otherkid.json'), JSON.stringify({ keys: [{ ...noKid, kid: 'k2' }] }))
    expect((await main(['inspect', token, '--keys', join(dir, 'otherkid.json')])).out).toContain('status: SIGNATURE NOT CHECKED: no given key has kid "k1"')
  })

  it('refuses options a command does not take and unknown option values', async () => {
    await expect(main(['keygen', '--bundle', 'x'])).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })
    await expect(main(['keygen', 'stray'])).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' })
    const wit = (await main(['wit', 'mint', '--issuer-key', join(dir, 'issuer.json'), '--kid', 'issuer-1', '--key', join(dir, 'agent.pub.json'), '--sub', 'spiffe://example.org/agents/cli'])).out
    await expect(main(['verify', wit, '--bundle', join(dir, 'bundle.json'), '--profile', 'bogus'])).rejects.toThrow('unknown --profile bogus')
    await expect(main(['verify', wit, '--kind', 'jwt'])).rejects.toThrow('unknown --kind jwt')
  })

  it('refuses inputs above 1 MiB without reading them whole', async () => {
    writeFileSync(join(dir, 'huge.txt'), 'a'.repeat(1024 * 1024 + 10))
    await expect(main(['inspect', `@${join(dir, 'huge.txt')}`])).rejects.toThrow(/larger than 1048576 bytes/)
  })

  it('shows time claims out of Date range and non-numeric ones without failing or passing them off as times', async () => {
    const key = await generateSigner('ES256')
    const token = await createCompactJWS({ typ: 'JWT' }, { sub: 'a', exp: 1e13, nbf: -1e300, iat: '1700000000 (2023-11-14T22:13:20.000Z)' }, key)
    const view = (await main(['inspect', token])).out
    expect(view).toContain('exp: 10000000000000 (out of range)')
    expect(view).toContain('nbf: -1e+300 (out of range)')
    expect(view).toContain('iat: "1700000000 (2023-11-14T22:13:20.000Z)"')
  })

  it('names a token kind only from its own table (typ __proto__ or constructor is just a typ)', async () => {
    const key = await generateSigner('ES256')
    for (const typ of ['__proto__', 'constructor', 'toString']) {
      const view = (await main(['inspect', await createCompactJWS({ typ }, { sub: 'a' }, key)])).out
      expect(view.split('\n')[0]).toBe(`JWT (typ ${typ})`)
    }
  })

  it('runs nothing when agentauth/cli is imported (only the bin runs a command)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(join(root, 'src/cli/index.ts'))}).then((m) => console.log(typeof m.main))`, 'frobnicate'], { encoding: 'utf8', cwd: root })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('function\n')
    expect(r.stderr).toBe('')
  }, SPAWN_TIMEOUT)
})
