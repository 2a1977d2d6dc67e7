// Review 8: the config file and the secret files are checked and read as one file. A check by path
// followed by a read by path let whoever can write the directory swap the file in between: the
// broker then ran a config (policy, WIT command) or a token its checks would have refused.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { loadBrokerConfig } from '../../../src/broker/node/config.js'
import { dirWithBrokerKey, minimalBrokerConfig } from '../../helpers/broker-config.js'

/** Files to replace (by rename) right after the broker's first filesystem call on them returns. */
const swaps = vi.hoisted(() => new Map<string, string>())

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  const after = async <T>(path: unknown, result: Promise<T>): Promise<T> => {
    const value = await result
    const replacement = typeof path === 'string' ? swaps.get(path) : undefined
    if (replacement !== undefined) {
      swaps.delete(path as string)
      await actual.rename(replacement, path as string)
    }
    return value
  }
  return {
    ...actual,
    stat: ((path: string, ...rest: never[]) => after(path, actual.stat(path, ...rest))) as typeof actual.stat,
    open: ((path: string, ...rest: never[]) => after(path, actual.open(path, ...rest))) as typeof actual.open,
    readFile: ((path: string, ...rest: never[]) => after(path, actual.readFile(path, ...rest))) as typeof actual.readFile,
  }
})

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

describe('broker config: check and read the same file', () => {
  it('never runs a config swapped in after its permission check', async () => {
    const dir = await dirWithBrokerKey()
    dirs.push(dir)
    const file = join(dir, 'broker.json')
    const planted = join(dir, 'planted.json')
    await writeFile(file, JSON.stringify(minimalBrokerConfig()), { mode: 0o644 })
    const wide = minimalBrokerConfig({ policy: { destinations: { 'https://bank.example.com': { paths: ['/'], methods: ['POST'] } } } })
    await writeFile(planted, JSON.stringify(wide), { mode: 0o666 })
    swaps.set(file, planted)
    const loaded = await loadBrokerConfig(file, { CAP: 'c'.repeat(43) }).then(
      (l) => Object.keys(l.config.policy.destinations),
      (err: unknown) => (err as { code?: string }).code,
    )
    // Either the checked file is read, or the planted one is refused: never the planted policy.
    expect(['https://api.example.com', 'ERR_INVALID_ARG_VALUE']).toContainEqual(Array.isArray(loaded) ? loaded[0] : loaded)
  })

  it('never uses a capability token file swapped in after its permission check', async () => {
    const dir = await dirWithBrokerKey()
    dirs.push(dir)
    const token = join(dir, 'cap.token')
    await writeFile(token, 'g'.repeat(43), { mode: 0o600 })
    await writeFile(join(dir, 'planted.token'), 'e'.repeat(43), { mode: 0o644 })
    swaps.set(token, join(dir, 'planted.token'))
    const loaded = await loadBrokerConfig(minimalBrokerConfig({ capabilityToken: { file: 'cap.token' } }), {}, dir).then(
      (l) => l.capabilityToken,
      (err: unknown) => (err as { code?: string }).code,
    )
    expect(['g'.repeat(43), 'ERR_INVALID_ARG_VALUE']).toContain(loaded)
  })
})

describe('broker config: the signer key', () => {
  it('refuses an unusable key with a broker config error naming the setting (it was the signer\'s options.alg / options.privateJwk message)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentauth-config-review8-'))
    dirs.push(dir)
    const cases: Array<[string, RegExp]> = [
      ['{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}', /^broker config: signer\.alg /],
      ['{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA","alg":"RS256"}', /^broker config: signer\.jwkFile /],
    ]
    for (const [jwk, message] of cases) {
      await writeFile(join(dir, 'k.json'), jwk, { mode: 0o600 })
      await expect(loadBrokerConfig(minimalBrokerConfig(), { CAP: 'c'.repeat(43) }, dir)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(message) })
    }
  })
})
