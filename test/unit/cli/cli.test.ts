import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/index.js'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'

const root = new URL('../../../', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'agentauth-cli-'))

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/index.ts'), ...args], { encoding: 'utf8', cwd: root })
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
  })

  it('refuses an expired WIT with its code', async () => {
    const wit = (await main(['wit', 'mint', '--issuer-key', join(dir, 'issuer.json'), '--kid', 'issuer-1', '--key', join(dir, 'agent.pub.json'), '--sub', 'spiffe://example.org/agents/cli', '--lifetime', '60'])).out
    const late = String(Math.floor(Date.now() / 1000) + 3600)
    const r = run('verify', wit, '--bundle', join(dir, 'bundle.json'), '--at', late)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^agentauth: ERR_WIT_EXPIRED/)
    void execFileSync
  })
})
