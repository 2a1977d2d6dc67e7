// Review round 4: the CLI as a newcomer meets it (closed pipes, overwriting keys, odd flag values).
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'

const root = new URL('../../../', import.meta.url).pathname

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
  })
})
