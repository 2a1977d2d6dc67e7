// Review 9: startBroker's close() with keep-alive connections.
import { request as httpRequest, Agent as HttpAgent } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker } from '../../../src/broker/node/index.js'
import { brokerFiles, readAudit, type BrokerFiles } from '../../helpers/broker-config.js'
import { capabilityToken } from '../../helpers/broker-fixtures.js'
import { trustDomain } from '../../helpers/server-fixtures.js'

let files: BrokerFiles

beforeAll(async () => {
  files = await brokerFiles(await trustDomain('example.org'))
})

afterAll(() => files?.remove())

function post(agent: HttpAgent, url: string, token: string): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ method: 'GET', url: 'https://api.example.com/x' })
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/v1/proof`, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('startBroker close()', () => {
  it('serves no new request on a keep-alive connection that was busy when close() was called', async () => {
    const token = capabilityToken()
    const env = { AGENTAUTH_TEST_CAPABILITY: token }
    const policy = { destinations: { 'https://api.example.com': { paths: ['/'], methods: ['GET'] } } }
    let approvals = 0
    let release: (v: boolean) => void = () => undefined
    let asked: () => void = () => undefined
    const approvalAsked = new Promise<void>((r) => (asked = r))
    const running = await startBroker({
      env,
      config: await files.writeConfig(files.config({ listen: { port: 0 }, policy })),
      approve: () => {
        approvals++
        if (approvals > 1) return Promise.resolve(true)
        asked()
        return new Promise<boolean>((r) => (release = r))
      },
    })
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 })
    try {
      const first = post(agent, running.url, token)
      await approvalAsked
      const closed = running.close()
      release(true)
      expect((await first).status).toBe(200)
      const second = await post(agent, running.url, token).then(
        (r) => r.status,
        (err: NodeJS.ErrnoException) => err.code,
      )
      expect(second).not.toBe(200)
      expect(approvals).toBe(1)
      await closed
      const records = await readAudit(files.auditFile)
      expect(records.filter((r) => r.decision === 'allow')).toHaveLength(1)
    } finally {
      agent.destroy()
      await running.close()
    }
  })
})
