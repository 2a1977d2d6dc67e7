// Agent → credential broker (Unix socket and loopback TCP) → API, all real servers on loopback.
import { spawn } from 'node:child_process'
import { chmod, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, type RunningBroker } from '../../src/broker/node/index.js'
import { main } from '../../src/broker/node/main.js'
import { composeFetch, createProxyFetch, remoteCredentials, workloadAuth } from '../../src/fetch/index.js'
import { createTokenCache, tokenExchange, TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { brokerFiles, readAudit, socketFetch, type BrokerFiles } from '../helpers/broker-config.js'
import { capabilityToken, codeOf, credentialFields, startApi, startServer, type ApiServer, type TestServer } from '../helpers/broker-fixtures.js'
import { trustDomain, type TrustDomainFixture } from '../helpers/server-fixtures.js'

const TOKEN = capabilityToken()
const ACCESS = 'exchanged-access-token-for-api-c-0123456789'
const env = { AGENTAUTH_TEST_CAPABILITY: TOKEN }

let td: TrustDomainFixture
let files: BrokerFiles
let wptApi: ApiServer
let sigApi: ApiServer
let bearerApi: ApiServer
let foreign: TestServer
let uds: RunningBroker
let tcp: RunningBroker
let udsFetch: ReturnType<typeof socketFetch>
const approvals: string[] = []

beforeAll(async () => {
  td = await trustDomain('example.org')
  files = await brokerFiles(td)
  wptApi = await startApi(td, { proof: 'wpt' })
  sigApi = await startApi(td, { proof: 'httpsig' })
  bearerApi = await startApi(td, { proof: 'either' })
  foreign = await startServer(() => new Response('foreign'))
  const policy = {
    destinations: {
      [wptApi.origin]: { paths: ['/v1/'], methods: ['GET', 'POST'], proof: 'wpt' as const },
      [sigApi.origin]: { paths: ['/v1/echo', '/v1/sse', '/v1/redirect'], methods: ['GET', 'POST'], proof: 'httpsig' as const, rateLimit: { requests: 1000, interval: 1 } },
      [bearerApi.origin]: { paths: ['/v1/'], methods: ['GET', 'POST'], modes: ['proxy' as const], rateLimit: { requests: 3, interval: 3600 } },
    },
  }
  const cache = createTokenCache({ fetchToken: async () => ({ accessToken: ACCESS, tokenType: 'Bearer', issuedTokenType: TOKEN_TYPE.ACCESS_TOKEN, expiresIn: 600, scope: undefined, refreshToken: undefined }) })
  const shared = {
    env,
    tokenExchange: tokenExchange({ cache, destinations: { [bearerApi.origin]: { audience: bearerApi.origin } } }),
    approve: async (ctx: { method: string; url: string }) => {
      approvals.push(`${ctx.method} ${ctx.url}`)
      return !ctx.url.includes('needs-human')
    },
  }
  uds = await startBroker({ ...shared, config: await files.writeConfig(files.config({ listen: { socket: join(files.dir, 'broker.sock') }, policy })) })
  tcp = await startBroker({ ...shared, config: await files.writeConfig(files.config({ listen: { port: 0 }, policy, proof: 'httpsig', signResponse: false })) })
  udsFetch = socketFetch(uds.socketPath!)
})

afterAll(async () => {
  await udsFetch?.close()
  await Promise.all([uds?.close(), tcp?.close(), wptApi?.close(), sigApi?.close(), bearerApi?.close(), foreign?.close()])
  await files?.remove()
})

function agentOver(transport: 'uds' | 'tcp') {
  const endpoint = transport === 'uds' ? uds.url : tcp.url
  const options = transport === 'uds' ? { endpoint, token: TOKEN, fetch: udsFetch.fetch } : { endpoint, token: TOKEN }
  const credentials = remoteCredentials(options)
  const origins = [wptApi.origin, sigApi.origin]
  return { credentials, api: composeFetch(fetch, workloadAuth({ credentials, origins })), proxy: createProxyFetch(options) }
}

describe('credential broker on real sockets', () => {
  it('listens on a 0600 Unix socket and a loopback port', async () => {
    expect((await stat(uds.socketPath!)).mode & 0o777).toBe(0o600)
    expect(uds.url).toBe('http://localhost')
    expect(tcp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  for (const transport of ['uds', 'tcp'] as const) {
    it(`proof mode over ${transport}: WPT and HTTP-signature requests verify at the API`, async () => {
      const { api } = agentOver(transport)
      const a = await api(`${wptApi.origin}/v1/echo?q=1`)
      expect(await a.json()).toMatchObject({ caller: files.id, proof: 'wpt' })
      const b = await api(`${sigApi.origin}/v1/echo`, { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } })
      expect(await b.json()).toMatchObject({ caller: files.id, proof: 'httpsig', body: '{"n":1}' })
      expect(wptApi.errors).toEqual([])
      expect(sigApi.errors).toEqual([])
    })

    it(`proxy mode over ${transport}: the broker attaches a bearer token and a proof the agent never sees`, async () => {
      const { proxy } = agentOver(transport)
      const res = await proxy(`${bearerApi.origin}/v1/echo`, { method: 'POST', body: 'via proxy' })
      const body = (await res.json()) as Record<string, unknown>
      expect(body).toMatchObject({ caller: files.id, body: 'via proxy', authorization: `Bearer ${ACCESS}` }) // the echo API reflects it in its body on purpose
      expect(bearerApi.received.at(-1)!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`)
      for (const value of res.headers.values()) expect(value).not.toContain(ACCESS)
      expect(bearerApi.errors).toEqual([])
    })
  }

  it('the agent-side objects hold no key and no bearer token', async () => {
    const { credentials, proxy } = agentOver('uds')
    for (const thing of [credentials, proxy]) {
      const shown = `${JSON.stringify(thing) ?? ''} ${inspect(thing, { showHidden: true, depth: 20 })}`
      expect(shown).not.toContain(TOKEN)
      expect(shown).not.toContain(ACCESS)
      expect(shown).not.toMatch(/"d":|privateKey|CryptoKey/)
    }
    const headers = await credentials.authorize({ method: 'GET', url: `${wptApi.origin}/v1/echo`, headers: new Headers() })
    expect([...headers.keys()].sort()).toEqual(['workload-identity-token', 'workload-proof-token'])
  })

  it('a replayed proof is refused by the API', async () => {
    const { api } = agentOver('tcp')
    expect((await api(`${sigApi.origin}/v1/echo`, { method: 'POST', body: 'once' })).status).toBe(200)
    const captured = sigApi.received.at(-1)!
    const headers = new Headers(captured.headers)
    for (const name of ['host', 'connection', 'content-length']) headers.delete(name)
    const replay = await fetch(captured.url, { method: 'POST', headers, body: 'once' })
    expect(replay.status).toBe(401)
    expect((sigApi.errors.at(-1) as { code: string }).code).toBe('ERR_PROOF_REPLAYED')
  })

  it('redirect leak: a 307 to a foreign origin receives no credential header; a 307 to an allow-listed origin gets a fresh proof that verifies there', async () => {
    const { api, proxy } = agentOver('uds')
    const toForeign = `${wptApi.origin}/v1/redirect?status=307&to=${encodeURIComponent(`${foreign.origin}/collect`)}`
    const res = await api(toForeign, { method: 'POST', body: 'secret payload', headers: { 'content-type': 'text/plain' } })
    expect(await res.text()).toBe('foreign')
    expect(foreign.received).toHaveLength(1)
    expect(credentialFields(foreign.received[0]!)).toEqual([])
    expect(foreign.received[0]!.headers.has('content-digest')).toBe(false)

    const verifiedBefore = sigApi.verified.length
    const toAllowed = `${wptApi.origin}/v1/redirect?status=307&to=${encodeURIComponent(`${sigApi.origin}/v1/echo`)}`
    const ok = await api(toAllowed, { method: 'POST', body: 'hop', headers: { 'content-type': 'text/plain' } })
    expect(await ok.json()).toMatchObject({ caller: files.id, proof: 'httpsig', body: 'hop' })
    expect(sigApi.verified.length).toBe(verifiedBefore + 1)

    // proxy mode: the broker refuses to follow, the foreign origin is never contacted
    expect(await codeOf(proxy(toForeign))).toBe('ERR_SIGNER_REFUSED')
    expect(foreign.received).toHaveLength(1)
  })

  it('streams a request body through the middleware and an SSE response through both modes', async () => {
    const { api, proxy } = agentOver('uds')
    const chunks = ['alpha-', 'beta-', 'gamma']
    const upload = new ReadableStream<Uint8Array>({
      async pull(c) {
        const next = chunks.shift()
        if (next === undefined) c.close()
        else c.enqueue(new TextEncoder().encode(next))
      },
    })
    const res = await api(`${sigApi.origin}/v1/echo`, { method: 'POST', body: upload, duplex: 'half', headers: { 'content-type': 'text/plain' } } as RequestInit)
    expect(await res.json()).toMatchObject({ body: 'alpha-beta-gamma', proof: 'httpsig' })

    for (const via of [api, proxy]) {
      const target = via === api ? sigApi : wptApi
      const events = await via(`${target.origin}/v1/sse`)
      expect(events.headers.get('content-type')).toBe('text/event-stream')
      const reader = events.body!.getReader()
      expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n')
      target.release()
      let rest = ''
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        rest += new TextDecoder().decode(value)
      }
      expect(rest).toBe('data: two\n\n')
    }
  })

  it('refuses by policy, rate limit, approval and capability, and writes an audit line for every decision', async () => {
    const { credentials, proxy } = agentOver('uds')
    const ask = (method: string, url: string) => codeOf(credentials.authorize({ method, url, headers: new Headers() }))
    expect(await ask('GET', `${foreign.origin}/v1/echo`)).toBe('ERR_SIGNER_REFUSED')
    expect(await ask('GET', `${wptApi.origin}/admin`)).toBe('ERR_SIGNER_REFUSED')
    expect(await ask('DELETE', `${wptApi.origin}/v1/echo`)).toBe('ERR_SIGNER_REFUSED')
    expect(await ask('GET', `${bearerApi.origin}/v1/echo`)).toBe('ERR_SIGNER_REFUSED')
    expect(await ask('GET', `${wptApi.origin}/v1/needs-human?ticket=42`)).toBe('ERR_SIGNER_REFUSED')
    expect(approvals).toContain(`GET ${wptApi.origin}/v1/needs-human?ticket=42`)
    // three requests per hour for this destination; one was used by the proxy-mode test above
    const limited: string[] = []
    for (let i = 0; i < 3; i++) limited.push(await proxy(`${bearerApi.origin}/v1/echo`).then(async (r) => String((await r.arrayBuffer(), r.status)), (e: { code: string }) => e.code))
    expect(limited).toEqual(['200', '200', 'ERR_SIGNER_RATE_LIMITED'])
    const intruder = remoteCredentials({ endpoint: uds.url, token: capabilityToken(), fetch: udsFetch.fetch })
    expect(await codeOf(intruder.authorize({ method: 'GET', url: `${wptApi.origin}/v1/echo`, headers: new Headers() }))).toBe('ERR_BROKER_UNAUTHORIZED')

    const records = await readAudit(files.auditFile)
    const reasons = records.filter((r) => r.decision === 'deny').map((r) => r.reason)
    expect(reasons).toEqual(expect.arrayContaining(['origin_not_allowed', 'path_not_allowed', 'method_not_allowed', 'mode_not_allowed', 'approval_denied', 'rate_limited', 'unauthorized', 'redirect_not_allowed']))
    expect(records.find((r) => r.reason === 'approval_denied')).toMatchObject({ mode: 'proof', method: 'GET', url: `${wptApi.origin}/v1/needs-human?ticket=REDACTED`, origin: wptApi.origin, status: 403 })
    expect(records.some((r) => r.decision === 'allow' && r.reason === 'completed' && r.status === 200)).toBe(true)
    for (const r of records) expect(typeof r.time === 'string' && typeof r.id === 'string').toBe(true)
    expect((await stat(files.auditFile)).mode & 0o777).toBe(0o600)
    expect(JSON.stringify(records)).not.toContain(TOKEN)
    expect(JSON.stringify(records)).not.toContain(ACCESS)
  })

  it('refuses unsafe configurations at start-up', async () => {
    const policy = { destinations: { [wptApi.origin]: { paths: ['/'], methods: ['GET'] } } }
    const start = async (config: object) => codeOf(startBroker({ env, config: await files.writeConfig({ ...files.config({ listen: { port: 0 }, policy }), ...config } as never) }))
    await chmod(files.keyFile, 0o644)
    expect(await start({})).toBe('ERR_INVALID_ARG_VALUE')
    await chmod(files.keyFile, 0o600)
    expect(await start({ listen: { port: 0, host: '0.0.0.0' } })).toBe('ERR_INVALID_ARG_VALUE')
    expect(await start({ capabilityToken: { env: 'AGENTAUTH_UNSET_VARIABLE' } })).toBe('ERR_INVALID_ARG_VALUE')
    expect(await start({ wit: {} })).toBe('ERR_INVALID_ARG_VALUE')
    const other = await td.workload('/agents/other', { alg: 'EdDSA' })
    await writeFile(join(files.dir, 'other.wit'), other.wit)
    await expect(startBroker({ env, config: await files.writeConfig(files.config({ listen: { port: 0 }, policy, wit: { file: 'other.wit' } })) })).rejects.toThrow(/bound to an EdDSA key/)
    await writeFile(join(files.dir, 'not-a-socket'), 'x')
    expect(await start({ listen: { socket: join(files.dir, 'not-a-socket') } })).toBe('ERR_INVALID_ARG_VALUE')
    const group = await startBroker({ env, config: await files.writeConfig(files.config({ listen: { socket: join(files.dir, 'group.sock'), mode: '0660' }, policy })) })
    expect((await stat(group.socketPath!)).mode & 0o777).toBe(0o660)
    await group.close()
    const tokenFile = join(files.dir, 'cap.token')
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 })
    const fromFile = await startBroker({ config: await files.writeConfig(files.config({ listen: { port: 0 }, policy, capabilityToken: { file: 'cap.token' } })) })
    const ok = await remoteCredentials({ endpoint: fromFile.url, token: TOKEN }).authorize({ method: 'GET', url: `${wptApi.origin}/v1/echo`, headers: new Headers() })
    expect(ok.has('workload-proof-token')).toBe(true)
    await fromFile.close()
  })

  it('runs from the command line until SIGTERM', async () => {
    expect(await main(['--help'])).toBe(0)
    expect(await main([])).toBe(2)
    expect(await main(['--config', join(files.dir, 'missing.json')])).toBe(1)
    const config = await files.writeConfig(files.config({ listen: { socket: join(files.dir, 'cli.sock') }, policy: { destinations: { [wptApi.origin]: { paths: ['/'], methods: ['GET'] } } } }))
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/broker/node/main.ts', '--config', config], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (stderr.includes('listening on')) resolve()
      })
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)))
    })
    const cli = socketFetch(join(files.dir, 'cli.sock'))
    const headers = await remoteCredentials({ endpoint: 'http://localhost', token: TOKEN, fetch: cli.fetch }).authorize({ method: 'GET', url: `${wptApi.origin}/x`, headers: new Headers() })
    expect(headers.has('workload-proof-token')).toBe(true)
    await cli.close()
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
