import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadBrokerConfig } from '../../../src/broker/node/config.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

/** A fresh directory holding an agent's private JWK (`keyFile`, 0600) and its WIT (`agent.wit`). */
async function agentFiles(keyFile: string, sub: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agentauth-config-'))
  dirs.push(dir)
  const issuer = await generateSigner('ES256')
  const key = await generateSigner('ES256', { extractable: true })
  await writeFile(join(dir, keyFile), JSON.stringify(await key.exportPrivateJwk()), { mode: 0o600 })
  await writeFile(join(dir, 'agent.wit'), await createWIT({ sub, cnf: { jwk: await key.publicJwk() } }, { signer: issuer }))
  return dir
}

describe('broker config', () => {
  it('examples/broker.config.json loads (key, WIT source, socket, token from env, policy)', async () => {
    const dir = await agentFiles('agent.key.json', 'spiffe://example.org/agents/support-bot')
    await copyFile('examples/broker.config.json', join(dir, 'broker.json'))
    const loaded = await loadBrokerConfig(join(dir, 'broker.json'), { AGENTAUTH_CAPABILITY: 'c'.repeat(43) })
    expect(loaded.listen).toEqual({ socket: '/run/agentauth/support-bot/broker.sock', mode: 0o600 })
    expect(loaded.capabilityToken).toBe('c'.repeat(43))
    expect(loaded.fsync).toBe(true)
    expect(loaded.signer.alg).toBe('ES256')
    expect((await loaded.wit.getWIT()).token.split('.')).toHaveLength(3)
    expect(Object.keys(loaded.config.policy.destinations)).toEqual(['https://tools.example.com', 'https://calendar.example.com'])
  })

  it('runs the WIT command without the capability token in its environment', async () => {
    const dir = await agentFiles('k.json', 'spiffe://example.org/agents/bot')
    const script = "const fs = require('node:fs'); fs.writeFileSync('child-env.json', JSON.stringify(process.env)); process.stdout.write(fs.readFileSync('agent.wit', 'utf8'))"
    const token = 't'.repeat(43)
    const saved = { primary: process.env.AGENTAUTH_TEST_WIT_CAPABILITY, copy: process.env.AGENTAUTH_TEST_WIT_COPY }
    process.env.AGENTAUTH_TEST_WIT_CAPABILITY = token
    process.env.AGENTAUTH_TEST_WIT_COPY = token
    try {
      const loaded = await loadBrokerConfig(
        {
          signer: { jwkFile: 'k.json' },
          wit: { command: [process.execPath, '-e', script] },
          listen: { port: 0 },
          capabilityToken: { env: 'AGENTAUTH_TEST_WIT_CAPABILITY' },
          proof: 'wpt',
          policy: { destinations: { 'https://api.example.com': { paths: ['/'], methods: ['GET'] } } },
          audit: { file: 'audit.jsonl' },
        },
        process.env,
        dir,
      )
      expect(loaded.capabilityToken).toBe(token)
      expect((await loaded.wit.getWIT()).token.split('.')).toHaveLength(3)
    } finally {
      for (const [name, value] of [['AGENTAUTH_TEST_WIT_CAPABILITY', saved.primary], ['AGENTAUTH_TEST_WIT_COPY', saved.copy]] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
    const childEnv = JSON.parse(await readFile(join(dir, 'child-env.json'), 'utf8')) as Record<string, string>
    expect(Object.keys(childEnv)).not.toContain('AGENTAUTH_TEST_WIT_CAPABILITY')
    expect(Object.keys(childEnv)).not.toContain('AGENTAUTH_TEST_WIT_COPY')
    expect(Object.values(childEnv)).not.toContain(token)
    expect(childEnv.PATH).toBe(process.env.PATH)
  })

  it('refuses malformed configs with a broker config: message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentauth-config-'))
    dirs.push(dir)
    await writeFile(join(dir, 'bad.json'), '{ not json')
    await expect(loadBrokerConfig(join(dir, 'bad.json'), {})).rejects.toThrow(/broker config: .* is not readable JSON/)
    await expect(loadBrokerConfig({ signer: 'x' } as never, {}, dir)).rejects.toThrow(/broker config: signer must be an object/)
    await expect(loadBrokerConfig({ signer: { jwkFile: 'missing.json' } } as never, {}, dir)).rejects.toThrow(/cannot be read/)
    const key = await generateSigner('ES256', { extractable: true })
    await writeFile(join(dir, 'k.json'), JSON.stringify(await key.exportPrivateJwk()), { mode: 0o600 })
    await expect(loadBrokerConfig({ signer: { jwkFile: 'k.json' }, listen: { socket: 's.sock', mode: '0666' } } as never, {}, dir)).rejects.toThrow(/listen.mode/)
  })
})
