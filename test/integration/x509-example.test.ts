// examples/x509-svid.ts runs to completion (exit 0) and shows the allowed and the refused caller.
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname

describe('examples/x509-svid.ts', () => {
  it('exits 0 after verifying, refusing and doing mutual TLS on loopback', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/x509-svid.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } })
    expect(out).toContain('verified: spiffe://example.org/billing (3 certificates to the bundle root)')
    expect(out).toContain('refused: ERR_X509_UNTRUSTED')
    expect(out).toContain('spiffe://example.org/ledger answered: hello spiffe://example.org/billing')
    expect(out).toContain('spiffe://example.org/ledger answered: refused: ERR_POLICY_DENIED')
  })
})
