// Review 6: the audit file must be the broker's own. One its group or others may write, or one
// another user owns (an agent that can write the directory could create it first and then erase
// its own records), is refused: by startBroker at start-up, and by the sink on every write.
import { chmod, chown, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../../src/broker/index.js'
import { createFileAuditSink, startBroker, type BrokerConfig } from '../../../src/broker/node/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'
import { minimalBrokerConfig } from '../../helpers/broker-config.js'

let dir: string
const record: AuditRecord = { time: new Date(0).toISOString(), id: 'id-1', decision: 'allow', reason: 'allowed', mode: 'proof' }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentauth-audit-review6-'))
  const issuer = await generateSigner('ES256')
  const key = await generateSigner('ES256', { extractable: true })
  await writeFile(join(dir, 'k.json'), JSON.stringify(await key.exportPrivateJwk()), { mode: 0o600 })
  await writeFile(join(dir, 'agent.wit'), await createWIT({ sub: 'spiffe://example.org/agents/bot', cnf: { jwk: await key.publicJwk() } }, { signer: issuer, lifetime: 3600 }))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('audit file ownership', () => {
  it('the sink refuses to append to a file its group or others may write, or another user owns', async () => {
    const path = join(dir, 'shared.jsonl')
    await writeFile(path, '')
    for (const mode of [0o666, 0o664, 0o646]) {
      await chmod(path, mode)
      const sink = createFileAuditSink({ path })
      await expect(sink(record)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/not writable by group or others/) })
      await sink.close()
    }
    expect(await readFile(path, 'utf8')).toBe('')
    await chmod(path, 0o644)
    const sink = createFileAuditSink({ path })
    await sink(record)
    await sink.close()
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(record)}\n`)
    // A device keeps no history to erase: /dev/null (0666, root's) is still accepted.
    const discard = createFileAuditSink({ path: '/dev/null' })
    await discard(record)
    await discard.close()
    if (process.getuid?.() === 0) {
      await chown(path, 4242, 4242)
      const foreign = createFileAuditSink({ path })
      await expect(foreign(record)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await foreign.close()
    }
  })

  it('startBroker refuses such an audit file (or a symbolic link) at start-up', async () => {
    const config = (file: string): BrokerConfig => minimalBrokerConfig({ audit: { file } })
    const env = { CAP: 'c'.repeat(43) }
    await writeFile(join(dir, 'group.jsonl'), '', { mode: 0o600 })
    await chmod(join(dir, 'group.jsonl'), 0o660)
    await expect(startBroker({ config: config('group.jsonl'), baseDir: dir, env })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/^broker config: the audit file .*group\.jsonl must be owned/) })
    await symlink(join(dir, 'group.jsonl'), join(dir, 'link.jsonl'))
    await expect(startBroker({ config: config('link.jsonl'), baseDir: dir, env })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/symbolic link/) })
    const running = await startBroker({ config: config('fresh.jsonl'), baseDir: dir, env })
    await running.close()
  })
})
