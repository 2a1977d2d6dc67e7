// `npm run demo` is part of the README's set-up: run it and require every check to pass.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname

describe('npm run demo', () => {
  it('runs end to end and every check passes', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('Demo finished: every check passed.')
    expect(run.stdout).not.toContain('✘')
    for (const code of ['ERR_PROOF_REPLAYED', 'ERR_DIGEST_MISMATCH', 'ERR_SIGNER_REFUSED', 'ERR_CREDENTIAL_REVOKED']) expect(run.stdout).toContain(code)
  }, 150_000)
})
