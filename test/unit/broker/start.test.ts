// startBroker on a Unix socket: the socket must never exist with a mode wider than 0600, not even
// between listen() and the chmod to the configured mode. `chmod` is wrapped to record the mode the
// socket had just before it.
import { lstat, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startBroker } from '../../../src/broker/node/index.js'
import { brokerFiles, type BrokerFiles } from '../../helpers/broker-config.js'
import { capabilityToken } from '../../helpers/broker-fixtures.js'
import { trustDomain } from '../../helpers/server-fixtures.js'

const modesBeforeChmod = vi.hoisted(() => new Map<string, number>())

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...actual,
    async chmod(path: string, mode: number) {
      modesBeforeChmod.set(path, (await actual.lstat(path)).mode & 0o777)
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
  it('creates the socket no wider than 0600 whatever the process umask, and restores the umask', async () => {
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
          expect([mode, modesBeforeChmod.get(socket)]).toEqual([mode, 0o600])
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
})
