// startBroker on a Unix socket: the socket is created with its configured mode (under a matching
// umask), so it never exists with a wider one and is never changed by path afterwards: a chmod by
// path follows a symlink planted in the socket's place. `chmod` is wrapped to record its calls and,
// for a path in `plantBeforeChmod`, to replace the socket with a symlink first.
import { lstat, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startBroker } from '../../../src/broker/node/index.js'
import { brokerFiles, type BrokerFiles } from '../../helpers/broker-config.js'
import { capabilityToken } from '../../helpers/broker-fixtures.js'
import { trustDomain } from '../../helpers/server-fixtures.js'

const chmodded = vi.hoisted(() => new Set<string>())
const plantBeforeChmod = vi.hoisted(() => new Map<string, string>())

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...actual,
    async chmod(path: string, mode: number) {
      chmodded.add(path)
      const target = plantBeforeChmod.get(path)
      if (target !== undefined) {
        await actual.unlink(path)
        await actual.symlink(target, path)
      }
      return actual.chmod(path, mode)
    },
  }
})

let files: BrokerFiles

beforeAll(async () => {
  files = await brokerFiles(await trustDomain('example.org'))
})

afterAll(() => files?.remove())

describe('startBroker on a Unix socket', () => {
  it('creates the socket with its configured mode whatever the process umask, and restores the umask', async () => {
    const env = { AGENTAUTH_TEST_CAPABILITY: capabilityToken() }
    const policy = { destinations: { 'https://api.example.com': { paths: ['/'], methods: ['GET'] } } }
    // Config files are written before the umask changes: a group-writable config is refused.
    const configs = new Map<string, string>()
    for (const mode of ['0600', '0660'] as const) configs.set(mode, await files.writeConfig(files.config({ listen: { socket: join(files.dir, `broker-${mode}.sock`), mode }, policy })))
    const previous = process.umask(0o002)
    try {
      for (const mode of ['0600', '0660'] as const) {
        const socket = join(files.dir, `broker-${mode}.sock`)
        const running = await startBroker({ env, config: configs.get(mode)! })
        try {
          expect(process.umask()).toBe(0o002)
          expect(chmodded.has(socket)).toBe(false)
          expect((await lstat(socket)).isSocket()).toBe(true)
          expect((await stat(socket)).mode & 0o777).toBe(mode === '0600' ? 0o600 : 0o660)
        } finally {
          await running.close()
        }
      }
    } finally {
      process.umask(previous)
    }
  })

  it('never changes the mode of a file planted in the socket\'s place (a chmod by path follows a symlink)', async () => {
    const env = { AGENTAUTH_TEST_CAPABILITY: capabilityToken() }
    const policy = { destinations: { 'https://api.example.com': { paths: ['/'], methods: ['GET'] } } }
    const socket = join(files.dir, 'planted.sock')
    const victim = join(files.dir, 'victim.key')
    await writeFile(victim, 'secret', { mode: 0o600 })
    plantBeforeChmod.set(socket, victim)
    const running = await startBroker({ env, config: await files.writeConfig(files.config({ listen: { socket, mode: '0660' }, policy })) })
    try {
      expect((await stat(victim)).mode & 0o777).toBe(0o600)
    } finally {
      await running.close()
      await unlink(socket).catch(() => undefined)
    }
  })
})

describe('startBroker: the socket path of a running broker', () => {
  it('refuses to replace a socket another process is listening on (only a stale one is replaced)', async () => {
    const env = { AGENTAUTH_TEST_CAPABILITY: capabilityToken() }
    const policy = { destinations: { 'https://api.example.com': { paths: ['/'], methods: ['GET'] } } }
    const socket = join(files.dir, 'live.sock')
    const config = await files.writeConfig(files.config({ listen: { socket }, policy }))
    const first = await startBroker({ env, config })
    try {
      const inode = (await lstat(socket)).ino
      await expect(startBroker({ env, config })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/^broker config: .*live\.sock is in use/) })
      expect((await lstat(socket)).ino).toBe(inode)
    } finally {
      await first.close()
    }
    // Closed: the socket file is gone or stale, and a new broker takes the path.
    const second = await startBroker({ env, config })
    await second.close()
  })
})
