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
