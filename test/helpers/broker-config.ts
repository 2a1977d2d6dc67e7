// Writes what a broker process needs to disk (agent key as a 0600 JWK file, WIT file, config) in a
// fresh temporary directory, and builds an undici fetch bound to a Unix socket.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, fetch as undiciFetch } from 'undici'
import type { BrokerConfig } from '../../src/broker/node/index.js'
import { generateSigner, type Signer } from '../../src/signer/index.js'
import { createWIT } from '../../src/wit/index.js'
import type { TrustDomainFixture } from './server-fixtures.js'

export interface BrokerFiles {
  readonly dir: string
  readonly id: string
  readonly wit: string
  readonly publicSigner: Signer
  readonly keyFile: string
  readonly witFile: string
  readonly auditFile: string
  config(overrides: Partial<BrokerConfig> & Pick<BrokerConfig, 'policy' | 'listen'>): BrokerConfig
  writeConfig(config: BrokerConfig): Promise<string>
  remove(): Promise<void>
}

export async function brokerFiles(td: TrustDomainFixture, path = '/agents/support-bot'): Promise<BrokerFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'agentauth-broker-'))
  const signer = await generateSigner('ES256', { extractable: true })
  const id = `spiffe://${td.name}${path}`
  const wit = await createWIT({ sub: id, cnf: { jwk: await signer.publicJwk() } }, { signer: td.issuer, lifetime: 3600 })
  const keyFile = join(dir, 'agent.key.json')
  const witFile = join(dir, 'agent.wit')
  const auditFile = join(dir, 'audit.jsonl')
  await writeFile(keyFile, JSON.stringify(await signer.exportPrivateJwk()), { mode: 0o600 })
  await writeFile(witFile, `${wit}\n`)
  return {
    dir,
    id,
    wit,
    publicSigner: signer,
    keyFile,
    witFile,
    auditFile,
    config: (overrides) => ({
      signer: { jwkFile: 'agent.key.json' },
      wit: { file: 'agent.wit' },
      capabilityToken: { env: 'AGENTAUTH_TEST_CAPABILITY' },
      proof: 'wpt',
      audit: { file: 'audit.jsonl' },
      ...overrides,
    }),
    async writeConfig(config) {
      const file = join(dir, `broker-${Math.random().toString(36).slice(2)}.json`)
      await writeFile(file, JSON.stringify(config, null, 2))
      return file
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}

/** A fetch that talks to a Unix domain socket (undici Agent with connect.socketPath). */
export function socketFetch(socketPath: string): { fetch: (input: Request | URL | string, init?: RequestInit) => Promise<Response>; close(): Promise<void> } {
  const dispatcher = new Agent({ connect: { socketPath } })
  return {
    fetch: (input, init) => undiciFetch(input as never, { ...(init as object), dispatcher } as never) as unknown as Promise<Response>,
    close: () => dispatcher.close(),
  }
}

export async function readAudit(file: string): Promise<Array<Record<string, unknown>>> {
  const { readFile } = await import('node:fs/promises')
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
}

/**
 * The smallest valid broker config for config-loading tests: key `k.json`, WIT `agent.wit`,
 * capability token in `$CAP`, one GET destination, audit to `audit.jsonl`; `overrides` replace
 * whole members.
 */
export function minimalBrokerConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  return {
    signer: { jwkFile: 'k.json' },
    wit: { file: 'agent.wit' },
    listen: { port: 0 },
    capabilityToken: { env: 'CAP' },
    proof: 'wpt',
    policy: { destinations: { 'https://api.example.com': { paths: ['/'], methods: ['GET'] } } },
    audit: { file: 'audit.jsonl' },
    ...overrides,
  }
}

/** A fresh temporary directory holding an agent key as `k.json` (mode 0600); returns the directory. */
export async function dirWithBrokerKey(prefix = 'agentauth-config-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const key = await generateSigner('ES256', { extractable: true })
  await writeFile(join(dir, 'k.json'), JSON.stringify(await key.exportPrivateJwk()), { mode: 0o600 })
  return dir
}
