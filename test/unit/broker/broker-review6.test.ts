// Review 6: createCredentialBroker options checked at construction.
import { beforeAll, describe, expect, it } from 'vitest'
import { createCredentialBroker, type CredentialBrokerOptions } from '../../../src/broker/index.js'
import { capabilityToken } from '../../helpers/broker-fixtures.js'
import { trustDomain, type Workload } from '../../helpers/server-fixtures.js'

let agent: Workload
const TOKEN = capabilityToken()

beforeAll(async () => {
  agent = await (await trustDomain('example.org')).workload('/agents/bot')
})

const options = (crypto: unknown): CredentialBrokerOptions => ({
  signer: agent.signer,
  wit: agent.wit,
  proof: 'wpt',
  policy: { destinations: { 'https://a.example.com': { paths: ['/'], methods: ['GET'] } } },
  audit: () => undefined,
  capabilityTokens: TOKEN,
  crypto: crypto as Crypto,
})

describe('createCredentialBroker: the crypto option', () => {
  it('refuses a crypto without randomUUID or subtle at construction (every request failed with an uncoded TypeError)', async () => {
    for (const bad of [{ subtle: globalThis.crypto.subtle }, { randomUUID: () => globalThis.crypto.randomUUID() }, 'webcrypto']) {
      expect(() => createCredentialBroker(options(bad))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_(TYPE|VALUE)$/) }))
    }
    const broker = createCredentialBroker(options(globalThis.crypto))
    const res = await broker(new Request('http://localhost/v1/elsewhere', { headers: { authorization: `Bearer ${TOKEN}` } }))
    expect(res.status).toBe(404)
  })
})

describe('createCredentialBroker: a compact WIT bound to another algorithm than the signer', () => {
  it('is refused at construction, as localCredentials refuses it (every proof was unverifiable)', async () => {
    const { generateSigner } = await import('../../../src/signer/index.js')
    const other = await generateSigner(agent.signer.alg === 'EdDSA' ? 'ES256' : 'EdDSA')
    const base = options(globalThis.crypto)
    expect(() => createCredentialBroker({ ...base, signer: other })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createCredentialBroker(base)).not.toThrow()
  })
})
