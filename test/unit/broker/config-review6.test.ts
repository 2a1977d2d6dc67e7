// Review 6: the config file holds the policy and the WIT command the broker runs. With the agent's
// user in the socket's group (the recommended set-up), a group-writable config, or one another user
// owns, would let the agent rewrite its own policy: both are refused, like a world-writable one.
import { chmod, chown, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadBrokerConfig } from '../../../src/broker/node/config.js'
import { dirWithBrokerKey, minimalBrokerConfig } from '../../helpers/broker-config.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

describe('broker config file permissions', () => {
  it('refuses a config file writable by its group or owned by another user', async () => {
    const dir = await dirWithBrokerKey()
    dirs.push(dir)
    const file = join(dir, 'broker.json')
    await writeFile(file, JSON.stringify(minimalBrokerConfig()))
    const env = { CAP: 'c'.repeat(43) }
    for (const mode of [0o664, 0o620, 0o666, 0o646]) {
      await chmod(file, mode)
      await expect(loadBrokerConfig(file, env)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/^broker config: .* must not be writable by group or others/) })
    }
    await chmod(file, 0o644)
    await expect(loadBrokerConfig(file, env)).resolves.toMatchObject({ capabilityToken: env.CAP })
    if (process.getuid?.() === 0) {
      // Only root can give the file away; the owner could always chmod it and write.
      await chown(file, 4242, 4242)
      await expect(loadBrokerConfig(file, env)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/must be owned by the broker's user or root/) })
    }
  })
})

describe('broker secret files', () => {
  it('refuses a key file or capability token file another user owns (its owner can read it whatever the mode)', async () => {
    const dir = await dirWithBrokerKey()
    dirs.push(dir)
    await writeFile(join(dir, 'cap.token'), 'c'.repeat(43), { mode: 0o600 })
    const config = minimalBrokerConfig({ capabilityToken: { file: 'cap.token' } })
    await expect(loadBrokerConfig(config, {}, dir)).resolves.toMatchObject({ capabilityToken: 'c'.repeat(43) })
    await chmod(join(dir, 'cap.token'), 0o640)
    await expect(loadBrokerConfig(config, {}, dir)).rejects.toThrow(/capabilityToken\.file .* must not be readable by group or others/)
    await chmod(join(dir, 'cap.token'), 0o600)
    if (process.getuid?.() === 0) {
      await chown(join(dir, 'cap.token'), 4242, 4242)
      await expect(loadBrokerConfig(config, {}, dir)).rejects.toThrow(/capabilityToken\.file .* must be owned by the broker's user or root/)
      await chown(join(dir, 'k.json'), 4242, 4242)
      await expect(loadBrokerConfig(config, {}, dir)).rejects.toThrow(/signer\.jwkFile .* must be owned by the broker's user or root/)
    }
  })
})
