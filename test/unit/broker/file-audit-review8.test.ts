// Review 8: an audit path that is a FIFO another user owns is refused like such a regular file.
// Pipes were exempt from the ownership check ("a pipe keeps no history to erase"), but a FIFO the
// agent planted in the audit directory hands it every record to read and drop: the audit trail
// never reaches a file. Devices and pipes the broker's user or root owns are still accepted.
import { execFileSync } from 'node:child_process'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../../src/broker/index.js'
import { checkAuditFile } from '../../../src/broker/node/file-audit.js'
import { createFileAuditSink } from '../../../src/broker/node/index.js'

let dir: string
const record: AuditRecord = { time: new Date(0).toISOString(), id: 'id-1', decision: 'allow', reason: 'allowed', mode: 'proof' }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentauth-audit-review8-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('audit path that is a FIFO', () => {
  it('accepts one the broker owns, refuses one another user owns (sink and start-up check)', async () => {
    const own = join(dir, 'own.fifo')
    execFileSync('mkfifo', ['-m', '600', own])
    const sink = createFileAuditSink({ path: own })
    await sink(record)
    await sink.close()
    await expect(checkAuditFile(own)).resolves.toBeUndefined()
    if (process.getuid?.() === 0) {
      // Only root can give a file away: the FIFO then stands for one the agent's user created.
      const planted = join(dir, 'planted.fifo')
      execFileSync('mkfifo', ['-m', '600', planted])
      await chown(planted, 4242, 4242)
      const foreign = createFileAuditSink({ path: planted })
      await expect(foreign(record)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await foreign.close()
      await expect(checkAuditFile(planted)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
  })
})

describe('startBroker: an audit file that cannot be opened', () => {
  it('refuses at start-up an audit path whose directory does not exist (every request was refused 503 instead)', async () => {
    const { startBroker } = await import('../../../src/broker/node/index.js')
    const { minimalBrokerConfig, dirWithBrokerKey } = await import('../../helpers/broker-config.js')
    const { createWIT } = await import('../../../src/wit/index.js')
    const { generateSigner } = await import('../../../src/signer/index.js')
    const { readFile, writeFile } = await import('node:fs/promises')
    const base = await dirWithBrokerKey('agentauth-audit-review8-start-')
    try {
      const key = JSON.parse(await readFile(join(base, 'k.json'), 'utf8')) as JsonWebKey & { alg?: string }
      const { d: _d, ...publicJwk } = key
      const wit = await createWIT({ sub: 'spiffe://example.org/agents/bot', cnf: { jwk: { ...publicJwk, alg: 'ES256' } as never } }, { signer: await generateSigner('ES256'), lifetime: 3600 })
      await writeFile(join(base, 'agent.wit'), wit)
      const env = { CAP: 'c'.repeat(43) }
      await expect(startBroker({ config: minimalBrokerConfig({ audit: { file: 'missing-dir/audit.jsonl' } }), baseDir: base, env })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringMatching(/^broker config: .*audit/),
      })
      const running = await startBroker({ config: minimalBrokerConfig(), baseDir: base, env })
      await running.close()
    } finally {
      await rm(base, { recursive: true, force: true })
    }
  })
})
