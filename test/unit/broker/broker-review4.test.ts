// Review round 4: key custody on the agent side (broker policy, config entry point, capability
// check, proxy-mode response cleaning).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCredentialBroker, type DestinationPolicy } from '../../../src/broker/index.js'
import { loadBrokerConfig } from '../../../src/broker/node/config.js'
import { startBroker, type BrokerConfig } from '../../../src/broker/node/index.js'
import { normalisePolicy } from '../../../src/broker/policy.js'
import { createProxyFetch } from '../../../src/fetch/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createTokenCache, tokenExchange, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createWIT } from '../../../src/wit/index.js'
import { minimalBrokerConfig } from '../../helpers/broker-config.js'
import { capabilityToken, recordingAudit, routeFetch } from '../../helpers/broker-fixtures.js'
import { trustDomain, type TrustDomainFixture, type Workload } from '../../helpers/server-fixtures.js'

const A = 'https://a.example.com'
const TOKEN = capabilityToken()
const ACCESS = 'at-for-a-0123456789abcdef'
let td: TrustDomainFixture
let agent: Workload
let dir: string

beforeAll(async () => {
  td = await trustDomain('example.org')
  agent = await td.workload('/agents/bot')
  dir = await mkdtemp(join(tmpdir(), 'agentauth-review4-'))
  const key = await generateSigner('ES256', { extractable: true })
  await writeFile(join(dir, 'k.json'), JSON.stringify(await key.exportPrivateJwk()), { mode: 0o600 })
  await writeFile(join(dir, 'agent.wit'), await createWIT({ sub: 'spiffe://example.org/agents/bot', cnf: { jwk: await key.publicJwk() } }, { signer: td.issuer, lifetime: 3600 }))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const CONFIG = minimalBrokerConfig({ policy: { destinations: { [A]: { paths: ['/'], methods: ['GET'] } } } })
const ENV = { CAP: 'c'.repeat(43) }

async function configError(config: unknown, env: Record<string, string> = ENV): Promise<string> {
  try {
    const running = await startBroker({ config: config as BrokerConfig, baseDir: dir, env })
    await running.close()
  } catch (err) {
    return `${(err as { code?: string }).code} ${(err as Error).message}`
  }
  return 'started'
}

describe('broker policy: unknown members', () => {
  it('refuses a destination policy member it does not define (a misspelt limit or mode would be ignored)', () => {
    const decide = (policy: DestinationPolicy) => normalisePolicy({ destinations: { [A]: policy } }, Date.now)
    expect(() => decide({ paths: ['/'], methods: ['GET'], ratelimit: { requests: 1, interval: 60 } } as never)).toThrow(/unknown member "ratelimit"/)
    expect(() => decide({ paths: ['/'], methods: ['GET'], mode: ['proxy'] } as never)).toThrow(/unknown member "mode"/)
    expect(() => decide({ paths: ['/'], methods: ['GET'], maxBodySize: 10 } as never)).toThrow(/unknown member "maxBodySize"/)
    expect(() => decide({ paths: ['/'], methods: ['GET'], rateLimit: { requests: 1, interval: 60, bursts: 1 } } as never)).toThrow(/rateLimit has an unknown member "bursts"/)
    expect(() => normalisePolicy({ destinations: { [A]: { paths: ['/'], methods: ['GET'] } }, destination: {} } as never, Date.now)).toThrow(/unknown member "destination"/)
    try {
      decide({ paths: ['/'], methods: ['GET'], ratelimit: {} } as never)
    } catch (err) {
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_VALUE')
    }
    // Every defined member is still accepted.
    const p = decide({ paths: ['/'], methods: ['GET'], modes: ['proxy'], proof: 'httpsig', rateLimit: { requests: 1, interval: 60, burst: 1 }, maxBodyBytes: 10 })
    expect(p.decide(new URL(`${A}/x`), 'GET', 'proof')).toMatchObject({ allowed: false, reason: 'mode_not_allowed' })
  })

  it('refuses unknown members and conflicting choices in the config file', async () => {
    await expect(loadBrokerConfig({ ...CONFIG, redirect: 'error' } as never, ENV, dir)).rejects.toThrow(/^broker config: the config has an unknown member "redirect"/)
    await expect(loadBrokerConfig({ ...CONFIG, signer: { jwkFile: 'k.json', algorithm: 'ES256' } } as never, ENV, dir)).rejects.toThrow(/^broker config: signer has an unknown member "algorithm"/)
    await expect(loadBrokerConfig({ ...CONFIG, listen: { socket: join(dir, 's.sock'), port: 7070 } } as never, ENV, dir)).rejects.toThrow(/^broker config: listen has an unknown member "port"/)
    await expect(loadBrokerConfig({ ...CONFIG, listen: { port: 0, hots: '0.0.0.0' } } as never, ENV, dir)).rejects.toThrow(/^broker config: listen has an unknown member "hots"/)
    await expect(loadBrokerConfig({ ...CONFIG, capabilityToken: { env: 'CAP', file: 'cap.token' } } as never, ENV, dir)).rejects.toThrow(/^broker config: capabilityToken takes one of env, file/)
    await expect(loadBrokerConfig({ ...CONFIG, audit: { file: 'a.jsonl', fsnyc: true } } as never, ENV, dir)).rejects.toThrow(/^broker config: audit has an unknown member "fsnyc"/)
    await expect(loadBrokerConfig({ ...CONFIG, wit: { file: 'agent.wit', url: 'https://id.example.com/wit' } } as never, ENV, dir)).rejects.toThrow(/^broker config: wit takes one of file, command, url/)
    await expect(loadBrokerConfig({ ...CONFIG, wit: { file: 'agent.wit', refreshbefore: 60 } } as never, ENV, dir)).rejects.toThrow(/^broker config: wit has an unknown member "refreshbefore"/)
    expect(await configError({ ...CONFIG, policy: { destinations: { [A]: { paths: ['/'], methods: ['GET'], ratelimit: { requests: 1, interval: 1 } } } } })).toMatch(/^ERR_INVALID_ARG_VALUE broker config: .*unknown member "ratelimit"/)
    expect(await configError(CONFIG)).toBe('started')
  })
})

describe('broker config: every refusal is a broker config: error naming the setting', () => {
  it('names options createCredentialBroker and the WIT source refuse as config settings', async () => {
    expect(await configError({ ...CONFIG, proof: 'jwt' })).toBe("ERR_INVALID_ARG_VALUE broker config: proof must be 'wpt' or 'httpsig'")
    expect(await configError(CONFIG, { CAP: 'short' })).toMatch(/^ERR_INVALID_ARG_VALUE broker config: capabilityToken must be 32\.\.1024/)
    expect(await configError({ ...CONFIG, lifetime: 0 })).toMatch(/^ERR_INVALID_ARG_VALUE broker config: lifetime must be/)
    expect(await configError({ ...CONFIG, redirects: 'follow' })).toMatch(/^ERR_INVALID_ARG_VALUE broker config: redirects must be/)
    expect(await configError({ ...CONFIG, policy: { destinations: { 'https://API.example.com': { paths: ['/'], methods: ['GET'] } } } })).toMatch(/^ERR_INVALID_ARG_VALUE broker config: policy\.destinations key/)
    expect(await configError({ ...CONFIG, wit: { url: 'not a url' } })).toBe('ERR_INVALID_ARG_VALUE broker config: wit.url must be an absolute URL')
    expect(await configError({ ...CONFIG, wit: { file: 'agent.wit', refreshBefore: -1 } })).toMatch(/^ERR_INVALID_ARG_VALUE broker config: wit\.refreshBefore must be/)
  })
})

describe('capability token', () => {
  it('accepts the Bearer scheme in any case (RFC 9110 §11.1), and still nothing else', async () => {
    const broker = createCredentialBroker({ signer: agent.signer, wit: agent.wit, proof: 'wpt', policy: { destinations: { [A]: { paths: ['/'], methods: ['GET'] } } }, audit: () => undefined, capabilityTokens: TOKEN })
    const ask = (authorization: string) =>
      broker(new Request('http://localhost/v1/proof', { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', url: `${A}/x` }) }))
    expect((await ask(`bearer ${TOKEN}`)).status).toBe(200)
    expect((await ask(`BEARER ${TOKEN}`)).status).toBe(200)
    expect((await ask(`Bearer ${TOKEN}`)).status).toBe(200)
    expect((await ask(`Basic ${TOKEN}`)).status).toBe(401)
    expect((await ask(`bearer ${TOKEN}x`)).status).toBe(401)
  })
})

describe('proxy mode: reflections', () => {
  it('drops a reason phrase that echoes a token the broker attached', async () => {
    const cache = createTokenCache({ fetchToken: async () => ({ accessToken: ACCESS, tokenType: 'Bearer', issuedTokenType: TOKEN_TYPE.ACCESS_TOKEN, expiresIn: 300, scope: undefined, refreshToken: undefined }) })
    const upstream = routeFetch({
      [A]: (request) => new Response('no', { status: 401, statusText: `rejected ${request.headers.get('authorization') ?? ''}` }),
    })
    const audit = recordingAudit()
    const broker = createCredentialBroker({
      signer: agent.signer,
      wit: agent.wit,
      proof: 'wpt',
      policy: { destinations: { [A]: { paths: ['/'], methods: ['GET'] } } },
      audit: audit.sink,
      capabilityTokens: TOKEN,
      fetch: upstream.fetch,
      tokenExchange: tokenExchange({ cache, destinations: { [A]: { audience: A } } }),
    })
    const agentFetch = createProxyFetch({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, fetch: async (input, init) => broker(new Request(input, init)) })
    const res = await agentFetch(`${A}/v1/x`)
    expect(upstream.received[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`)
    expect(res.status).toBe(401)
    expect(res.statusText.includes(ACCESS)).toBe(false)
    // A reason phrase without a secret is kept.
    const plain = routeFetch({ [A]: () => new Response('no', { status: 404, statusText: 'Nothing Here' }) })
    const broker2 = createCredentialBroker({ signer: agent.signer, wit: agent.wit, proof: 'wpt', policy: { destinations: { [A]: { paths: ['/'], methods: ['GET'] } } }, audit: () => undefined, capabilityTokens: TOKEN, fetch: plain.fetch })
    const res2 = await broker2(new Request(`http://localhost/v1/proxy/${encodeURIComponent(`${A}/y`)}`, { headers: { authorization: `Bearer ${TOKEN}` } }))
    expect([res2.status, res2.statusText]).toEqual([404, 'Nothing Here'])
  })

  it('drops a field whose name echoes a token the broker attached (review 6)', async () => {
    const token = 'AT-Mixed-Case-0123456789abcdef'
    const cache = createTokenCache({ fetchToken: async () => ({ accessToken: token, tokenType: 'Bearer', issuedTokenType: TOKEN_TYPE.ACCESS_TOKEN, expiresIn: 300, scope: undefined, refreshToken: undefined }) })
    const upstream = routeFetch({
      // A field name is a token, and so is a bearer token: an API reflecting request fields as names hands it back.
      [A]: (request) => new Response('ok', { headers: { [`x-seen-${(request.headers.get('authorization') ?? '').slice(7)}`]: '1', 'x-kept': 'k' } }),
    })
    const broker = createCredentialBroker({
      signer: agent.signer,
      wit: agent.wit,
      proof: 'wpt',
      policy: { destinations: { [A]: { paths: ['/'], methods: ['GET'] } } },
      audit: () => undefined,
      capabilityTokens: TOKEN,
      fetch: upstream.fetch,
      tokenExchange: tokenExchange({ cache, destinations: { [A]: { audience: A } } }),
    })
    const res = await broker(new Request(`http://localhost/v1/proxy/${encodeURIComponent(`${A}/v1/x`)}`, { headers: { authorization: `Bearer ${TOKEN}` } }))
    expect(upstream.received[0]!.headers.get('authorization')).toBe(`Bearer ${token}`)
    expect(res.status).toBe(200)
    expect([...res.headers.keys()].filter((name) => name.includes(token.toLowerCase()))).toEqual([])
    expect(res.headers.get('x-kept')).toBe('k')
  })
})

describe('broker config file mode', () => {
  it('refuses a config file any local user may write (it holds the policy and the WIT command)', async () => {
    const { chmod } = await import('node:fs/promises')
    const file = join(dir, 'world.json')
    await writeFile(file, JSON.stringify(CONFIG))
    await chmod(file, 0o666)
    await expect(loadBrokerConfig(file, ENV)).rejects.toThrow(/^broker config: .*world\.json must not be writable by group or others/)
    await chmod(file, 0o644)
    expect((await loadBrokerConfig(file, ENV)).capabilityToken).toBe(ENV.CAP)
  })
})

describe('file audit sink: torn lines', () => {
  it('ends a line a crash left unterminated before appending, so the next record stays readable', async () => {
    const { readFile } = await import('node:fs/promises')
    const { createFileAuditSink } = await import('../../../src/broker/node/index.js')
    const path = join(dir, 'torn.jsonl')
    await writeFile(path, '{"time":"2026-01-01T00:00:00.000Z","id":"a"}\n{"time":"2026-01-01T00:00:01.000Z","id":"b","deci', { mode: 0o600 })
    const sink = createFileAuditSink({ path })
    const record = { time: new Date(0).toISOString(), id: 'after-crash', decision: 'allow', reason: 'allowed', mode: 'proof' } as const
    await sink(record)
    await sink({ ...record, id: 'next' })
    await sink.close()
    const lines = (await readFile(path, 'utf8')).split('\n')
    expect(lines.slice(-3)).toEqual([JSON.stringify(record), JSON.stringify({ ...record, id: 'next' }), ''])
    // A file that ends with a newline (or is empty) gets no extra line.
    const clean = join(dir, 'clean.jsonl')
    const sink2 = createFileAuditSink({ path: clean })
    await sink2(record)
    await sink2.close()
    const sink3 = createFileAuditSink({ path: clean })
    await sink3({ ...record, id: 'next' })
    await sink3.close()
    expect(await readFile(clean, 'utf8')).toBe(`${JSON.stringify(record)}\n${JSON.stringify({ ...record, id: 'next' })}\n`)
  })
})

describe('startBroker: requests Fetch cannot represent', () => {
  it('refuses a TRACE request like any malformed request: audited, with the broker error header', async () => {
    const { readFile } = await import('node:fs/promises')
    const { request } = await import('node:http')
    const running = await startBroker({ config: { ...CONFIG, audit: { file: 'trace-audit.jsonl' } }, baseDir: dir, env: ENV })
    try {
      const port = Number(new URL(running.url).port)
      const answer = await new Promise<{ status: number; header: string | undefined; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'TRACE', path: '/v1/proof', headers: { authorization: `Bearer ${ENV.CAP}` } }, (res) => {
          let body = ''
          res.on('data', (d: Buffer) => (body += d.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, header: res.headers['agentauth-broker-error'] as string | undefined, body }))
        })
        req.on('error', reject)
        req.end()
      })
      expect(answer.status).toBe(400)
      expect(answer.header).toBe('invalid_request')
      expect(JSON.parse(answer.body)).toMatchObject({ error: { reason: 'invalid_request' } })
    } finally {
      await running.close()
    }
    const records = (await readFile(join(dir, 'trace-audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ decision: 'deny', reason: 'invalid_request', mode: 'unknown', status: 400 })
  })
})
