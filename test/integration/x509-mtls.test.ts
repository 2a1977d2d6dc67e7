// Mutual TLS on loopback with X.509-SVIDs generated at test time: a real node:tls server asks for
// client certificates and decides with agentauth (verifyPeerCertificate + matchId, and the
// createPeerAuthorizer helper); the client checks the server's SPIFFE ID the same way. OpenSSL's own
// chain check is off (rejectUnauthorized: false) so the injected clock governs validity.
import { once } from 'node:events'
import { createServer as createHttpsServer, request as httpsRequest, Agent } from 'node:https'
import type { AddressInfo } from 'node:net'
import { connect, createServer, type Server, type TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPeerAuthorizer, peerCertificateChain, verifyPeerCertificate } from '../../src/adapters/node/mtls.js'
import { isAgentAuthError } from '../../src/errors/index.js'
import { matchId, matchTrustDomain } from '../../src/identifier/index.js'
import { createX509SVIDVerifier, staticX509Bundles, type X509ChainInput, type X509SVIDVerifier } from '../../src/x509/index.js'
import { clock, createPKI, issue, keyPair, leafUnder, NOW, pemChain, privateKeyPem, type Issued, type TestPKI } from '../helpers/x509.js'

interface Credential {
  key: string
  cert: string
  leaf: Uint8Array
}

let pki: TestPKI
let other: TestPKI
let verifier: X509SVIDVerifier
let server: Server
let port: number
let serverCredential: Credential
const credentials: Record<string, Credential> = {}

async function credential(leaf: Issued, ...chain: Issued[]): Promise<Credential> {
  return { key: await privateKeyPem(leaf.keys), cert: pemChain(leaf, ...chain), leaf: leaf.der }
}

/** Connects as `client` (or without a certificate), returns what the server wrote and the server's verified id. */
async function call(client: Credential | undefined): Promise<{ answer: string; serverId: string }> {
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, key: client?.key, cert: client?.cert })
  await once(socket, 'secureConnect')
  const serverId = (await verifyPeerCertificate(socket, verifier)).id.id
  let answer = ''
  socket.setEncoding('utf8')
  socket.on('data', (d: string) => (answer += d))
  await once(socket, 'end')
  socket.destroy()
  return { answer, serverId }
}

beforeAll(async () => {
  pki = await createPKI('example.org')
  other = await createPKI('other.org')
  verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.pem, 'other.org': other.root.pem }), clock })
  const serverLeaf = await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/server'], dns: ['localhost'] })
  serverCredential = await credential(serverLeaf, pki.intermediate)
  credentials.billing = await credential(await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/billing'] }), pki.intermediate)
  credentials.intruder = await credential(await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/intruder'] }), pki.intermediate)
  credentials.foreign = await credential(await leafUnder(other.intermediate, { uris: ['spiffe://example.org/billing'] }), other.intermediate)
  credentials.expired = await credential(
    await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/billing'], notBefore: new Date(NOW - 7200_000), notAfter: new Date(NOW - 3600_000) }),
    pki.intermediate,
  )
  credentials.noIntermediate = await credential(await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/billing'] }))
  const selfSignedRogue = await issue({ subject: pki.intermediate.name, ca: true, keyUsage: 0x60 })
  credentials.selfSignedRogue = await credential(await leafUnder(selfSignedRogue, { uris: ['spiffe://example.org/billing'] }), selfSignedRogue)
  const rogueKeys = await keyPair()
  const rogue = await issue({ subject: pki.intermediate.name, issuer: pki.root, keys: rogueKeys, signingKey: rogueKeys.privateKey, ca: true, keyUsage: 0x60 })
  credentials.rogue = await credential(await leafUnder(rogue, { uris: ['spiffe://example.org/billing'] }), rogue)

  const allowed = matchId('spiffe://example.org/billing')
  server = createServer({ key: serverCredential.key, cert: serverCredential.cert, requestCert: true, rejectUnauthorized: false }, (socket) => {
    verifyPeerCertificate(socket, verifier)
      .then((peer) => socket.end(allowed(peer.id) ? `welcome ${peer.id.id}` : `denied ERR_POLICY_DENIED ${peer.id.id}`))
      .catch((err: unknown) => socket.end(`denied ${isAgentAuthError(err) ? err.code : 'unexpected'}`))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  server?.close()
})

describe('node:tls mutual TLS with X.509-SVIDs', () => {
  it('the server authorises spiffe://example.org/billing; the client verifies the server SVID', async () => {
    expect(await call(credentials.billing)).toEqual({ answer: 'welcome spiffe://example.org/billing', serverId: 'spiffe://example.org/server' })
  })

  it('a valid SVID that matchId does not allow is refused by policy', async () => {
    expect((await call(credentials.intruder)).answer).toBe('denied ERR_POLICY_DENIED spiffe://example.org/intruder')
  })

  it.each([
    ['no client certificate', undefined, 'ERR_X509_SVID_INVALID'],
    ['an SVID claiming example.org but issued under other.org', 'foreign', 'ERR_X509_UNTRUSTED'],
    ['an expired SVID', 'expired', 'ERR_X509_EXPIRED'],
    ['an SVID sent without its intermediate', 'noIntermediate', 'ERR_X509_UNTRUSTED'],
    ['an SVID from a self-signed rogue CA reusing the intermediate name', 'selfSignedRogue', 'ERR_X509_UNTRUSTED'],
    ['an SVID from a rogue intermediate that claims the root as its issuer', 'rogue', 'ERR_X509_SIGNATURE'],
  ])('%s is refused (%s)', async (_name, who, code) => {
    expect((await call(who === undefined ? undefined : credentials[who])).answer).toBe(`denied ${code}`)
  })

  it('reads the whole presented chain from the socket', async () => {
    // On the client side the peer is the server: leaf and intermediate as configured.
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, key: credentials.billing!.key, cert: credentials.billing!.cert })
    await once(socket, 'secureConnect')
    expect(peerCertificateChain(socket)).toEqual([serverCredential.leaf, pki.intermediate.der])
    socket.destroy()
  })
})

describe('createPeerAuthorizer over node:https keep-alive', () => {
  it('reads the chain once per connection, re-checks it through the verifier on every request, refuses other workloads with 403', async () => {
    let verifications = 0
    const chains: X509ChainInput[] = []
    const counting: X509SVIDVerifier = (chain, o) => (verifications++, chains.push(chain), verifier(chain, o))
    const authorizePeer = createPeerAuthorizer(counting, matchTrustDomain('example.org'), { clock })
    const onlyBilling = createPeerAuthorizer(verifier, matchId('spiffe://example.org/billing'), { clock })
    const https = createHttpsServer({ key: serverCredential.key, cert: serverCredential.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const authorizer = req.url === '/billing-only' ? onlyBilling : authorizePeer
      authorizer(req.socket as TLSSocket)
        .then((peer) => res.end(peer.id.id))
        .catch((err: { status?: number; code?: string }) => res.writeHead(err.status ?? 500).end(err.code))
    })
    https.listen(0, '127.0.0.1')
    await once(https, 'listening')
    const httpsPort = (https.address() as AddressInfo).port
    const get = async (path: string, agent: Agent): Promise<[number, string]> => {
      const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, path, agent, servername: 'localhost' })
      req.end()
      const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage]
      let body = ''
      for await (const chunk of res) body += chunk
      return [res.statusCode ?? 0, body]
    }
    try {
      const billing = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false, key: credentials.billing!.key, cert: credentials.billing!.cert })
      expect(await get('/a', billing)).toEqual([200, 'spiffe://example.org/billing'])
      expect(await get('/b', billing)).toEqual([200, 'spiffe://example.org/billing'])
      // The second request on the keep-alive connection passes the chain read on it again (the
      // verifier answers it from its cache, asking the bundle source, so a removed CA stops it).
      expect(verifications).toBe(2)
      expect(chains[1]).toBe(chains[0])
      billing.destroy()
      const intruder = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false, key: credentials.intruder!.key, cert: credentials.intruder!.cert })
      expect(await get('/billing-only', intruder)).toEqual([403, 'ERR_POLICY_DENIED'])
      intruder.destroy()
      const anonymous = new Agent({ keepAlive: false, rejectUnauthorized: false })
      expect(await get('/a', anonymous)).toEqual([401, 'ERR_X509_SVID_INVALID'])
      anonymous.destroy()
    } finally {
      https.close()
    }
  })

  it('rejects bad arguments with coded TypeErrors', async () => {
    expect(() => createPeerAuthorizer(undefined as never, matchId('spiffe://example.org/a'))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createPeerAuthorizer(verifier, undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    await expect(verifyPeerCertificate({} as TLSSocket, verifier)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(verifyPeerCertificate({} as TLSSocket, 1 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })
})
