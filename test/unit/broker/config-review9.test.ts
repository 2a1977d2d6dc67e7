// Review 9: the directories holding the config, key, capability-token and audit files. Whoever may
// write a directory may rename the file in it and put their own in its place (or delete the audit
// file), whatever the file's own mode: such a directory is refused like such a file.
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadBrokerConfig } from '../../../src/broker/node/config.js'
import { checkAuditFile } from '../../../src/broker/node/file-audit.js'
import { dirWithBrokerKey, minimalBrokerConfig } from '../../helpers/broker-config.js'
import { trustDomain } from '../../helpers/server-fixtures.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

const CAP = 'c'.repeat(40)

async function setUp(): Promise<string> {
  const dir = await dirWithBrokerKey()
  dirs.push(dir)
  const agent = await (await trustDomain('example.org')).workload('/agents/bot')
  await writeFile(join(dir, 'agent.wit'), agent.wit)
  return dir
}

const refused = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'accepted', (err: { code?: string; message?: string }) => `${err.code}: ${err.message}`)

describe.runIf(process.platform !== 'win32')('broker config: the directories of its files', () => {
  it('refuses a config file in a directory its group or others may write (without the sticky bit)', async () => {
    const dir = await setUp()
    const sub = join(dir, 'etc')
    await mkdir(sub)
    const file = join(sub, 'broker.json')
    await writeFile(file, JSON.stringify(minimalBrokerConfig()), { mode: 0o600 })
    expect(await refused(loadBrokerConfig(file, { CAP }, dir))).toBe('accepted')
    await chmod(sub, 0o770)
    expect(await refused(loadBrokerConfig(file, { CAP }, dir))).toMatch(/^ERR_INVALID_ARG_VALUE: broker config: .*etc.* writable by group or others/)
    await chmod(sub, 0o1777) // sticky: others cannot rename or delete the broker's file
    expect(await refused(loadBrokerConfig(file, { CAP }, dir))).toBe('accepted')
  })

  it('refuses a key file or capability-token file in such a directory', async () => {
    const dir = await setUp()
    const keys = join(dir, 'keys')
    await mkdir(keys)
    await writeFile(join(keys, 'cap.token'), CAP, { mode: 0o600 })
    const config = minimalBrokerConfig({ capabilityToken: { file: 'keys/cap.token' } })
    expect(await refused(loadBrokerConfig(config, {}, dir))).toBe('accepted')
    await chmod(keys, 0o707)
    expect(await refused(loadBrokerConfig(config, {}, dir))).toMatch(/^ERR_INVALID_ARG_VALUE: broker config: capabilityToken\.file .* writable by group or others/)
    await chmod(keys, 0o700)
    await chmod(dir, 0o770)
    expect(await refused(loadBrokerConfig(minimalBrokerConfig(), { CAP }, dir))).toMatch(/^ERR_INVALID_ARG_VALUE: broker config: signer\.jwkFile .* writable by group or others/)
    await chmod(dir, 0o700)
  })

  it('refuses an audit file in such a directory (the agent could delete its records)', async () => {
    const dir = await setUp()
    const logs = join(dir, 'log')
    await mkdir(logs)
    await checkAuditFile(join(logs, 'audit.jsonl'))
    await chmod(logs, 0o775)
    expect(await refused(checkAuditFile(join(logs, 'audit.jsonl')))).toMatch(/^ERR_INVALID_ARG_VALUE: .*log.* writable by group or others/)
  })
})

describe('createFileAuditSink after close()', () => {
  it('rejects a record with StoreError ERR_STORE_UNAVAILABLE (it was an uncoded Error)', async () => {
    const { createFileAuditSink } = await import('../../../src/broker/node/file-audit.js')
    const dir = await setUp()
    const sink = createFileAuditSink({ path: join(dir, 'audit.jsonl') })
    await sink({ time: new Date(0).toISOString(), id: 'a', decision: 'deny', reason: 'not_found', mode: 'unknown' })
    await sink.close()
    await expect(sink({ time: new Date(0).toISOString(), id: 'b', decision: 'deny', reason: 'not_found', mode: 'unknown' })).rejects.toMatchObject({ name: 'StoreError', code: 'ERR_STORE_UNAVAILABLE' })
  })
})

describe.runIf(process.platform !== 'win32')('broker config: the WIT command', () => {
  it('refuses an executable its group or others may write, or one in such a directory (whoever replaces it runs code as the broker)', async () => {
    const dir = await setUp()
    const bin = join(dir, 'bin')
    await mkdir(bin)
    const script = join(bin, 'wit.sh')
    await writeFile(script, `#!/bin/sh\ncat ${join(dir, 'agent.wit')}\n`, { mode: 0o755 })
    const config = minimalBrokerConfig({ wit: { command: ['./bin/wit.sh'] } })
    expect(await refused(loadBrokerConfig(config, { CAP }, dir))).toBe('accepted')
    await chmod(script, 0o777)
    expect(await refused(loadBrokerConfig(config, { CAP }, dir))).toMatch(/^ERR_INVALID_ARG_VALUE: broker config: wit\.command .*wit\.sh must not be writable/)
    await chmod(script, 0o755)
    await chmod(bin, 0o777)
    expect(await refused(loadBrokerConfig(config, { CAP }, dir))).toMatch(/^ERR_INVALID_ARG_VALUE: broker config: wit\.command .* writable by group or others/)
    // Found through the broker's PATH (the command's environment), as execFile finds a bare name.
    const previous = process.env.PATH
    process.env.PATH = `/nonexistent:${bin}`
    try {
      expect(await refused(loadBrokerConfig(minimalBrokerConfig({ wit: { command: ['wit.sh'] } }), { CAP }, dir))).toMatch(/^ERR_INVALID_ARG_VALUE: broker config: wit\.command /)
      await chmod(bin, 0o755)
      expect(await refused(loadBrokerConfig(minimalBrokerConfig({ wit: { command: ['wit.sh'] } }), { CAP }, dir))).toBe('accepted')
    } finally {
      process.env.PATH = previous
    }
  })
})
