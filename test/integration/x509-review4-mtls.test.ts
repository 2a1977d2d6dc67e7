// Review round 4: mutual TLS on resumed sessions. OpenSSL keeps only the client's leaf in a
// session, so a resumed connection showed the server no intermediates (a valid client refused with
// ERR_X509_UNTRUSTED), and a client on a resumed session sees no server certificate at all.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { connect, createServer, type Server, type TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPeerAuthorizer, peerCertificateChain, verifyPeerCertificate } from '../../src/adapters/node/mtls.js'
import { isAgentAuthError } from '../../src/errors/index.js'
import { matchTrustDomain } from '../../src/identifier/index.js'
import { createX509SVIDVerifier, staticX509Bundles, type X509SVIDVerifier } from '../../src/x509/index.js'
import { clock, createPKI, issue, leafUnder, pemChain, privateKeyPem, type Issued, type TestPKI } from '../helpers/x509.js'

let pki: TestPKI
let verifier: X509SVIDVerifier
let clientLeaf: Issued
let serverLeaf: Issued

beforeAll(async () => {
  pki = await createPKI('example.org')
  verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.pem }), clock })
  serverLeaf = await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/server'], dns: ['localhost'] })
  clientLeaf = await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/client'] })
})

interface Seen {
  resumed: boolean
  chainLength: number
  outcome: string
}

/** A server answering each connection with what `check` said; returns the server and its log. */
async function startServer(maxVersion: 'TLSv1.2' | 'TLSv1.3', check: (socket: TLSSocket) => Promise<{ id: { id: string } }>): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = []
  const server = createServer({ key: await privateKeyPem(serverLeaf.keys), cert: pemChain(serverLeaf, pki.intermediate), requestCert: true, rejectUnauthorized: false, maxVersion }, (socket) => {
    const entry = { resumed: socket.isSessionReused(), chainLength: peerCertificateChain(socket).length }
    check(socket)
      .then((peer) => peer.id.id, (err: unknown) => (isAgentAuthError(err) ? err.code : 'unexpected'))
      .then((outcome) => {
        seen.push({ ...entry, outcome })
        socket.end(outcome)
      })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port, seen }
}

/** Connects `times` times, resuming the session of the first connection; returns what the client saw. */
async function connectResuming(port: number, maxVersion: 'TLSv1.2' | 'TLSv1.3', times: number, client: Issued, chain: Issued[]): Promise<Array<{ resumed: boolean; serverCheck: string }>> {
  const key = await privateKeyPem(client.keys)
  let session: Buffer | undefined
  const out: Array<{ resumed: boolean; serverCheck: string }> = []
  for (let i = 0; i < times; i++) {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, key, cert: pemChain(client, ...chain), session, maxVersion })
    socket.on('session', (s: Buffer) => (session ??= s))
    await once(socket, 'secureConnect')
    const serverCheck = await verifyPeerCertificate(socket, verifier).then(
      (peer) => peer.id.id,
      (err: { code?: string; reason?: string }) => `${err.code}: ${err.reason}`,
    )
    out.push({ resumed: socket.isSessionReused(), serverCheck })
    socket.resume()
    await once(socket, 'end')
    socket.destroy()
  }
  return out
}

describe.each(['TLSv1.2', 'TLSv1.3'] as const)('resumed %s sessions', (maxVersion) => {
  it('the server verifies a resumed client (leaf only from OpenSSL) with the intermediates it verified before', async () => {
    const { server, port, seen } = await startServer(maxVersion, (socket) => verifyPeerCertificate(socket, verifier))
    try {
      await connectResuming(port, maxVersion, 3, clientLeaf, [pki.intermediate])
      expect(seen).toEqual([
        { resumed: false, chainLength: 2, outcome: 'spiffe://example.org/client' },
        { resumed: true, chainLength: 1, outcome: 'spiffe://example.org/client' },
        { resumed: true, chainLength: 1, outcome: 'spiffe://example.org/client' },
      ])
    } finally {
      server.close()
    }
  })

  it('createPeerAuthorizer too (https.Agent resumes sessions by default)', async () => {
    const authorize = createPeerAuthorizer(verifier, matchTrustDomain('example.org'), { clock })
    const { server, port, seen } = await startServer(maxVersion, authorize)
    try {
      await connectResuming(port, maxVersion, 2, clientLeaf, [pki.intermediate])
      expect(seen.map((s) => [s.resumed, s.outcome])).toEqual([
        [false, 'spiffe://example.org/client'],
        [true, 'spiffe://example.org/client'],
      ])
    } finally {
      server.close()
    }
  })

  it('remembered intermediates are not trusted: a resumed leaf nobody vouches for is still refused', async () => {
    // A leaf never verified with a full chain gets nothing remembered.
    const unverifiedVerifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.pem }), clock })
    const { server, port, seen } = await startServer(maxVersion, (socket) => verifyPeerCertificate(socket, unverifiedVerifier))
    try {
      const rogueCA = await issue({ subject: pki.intermediate.name, ca: true, keyUsage: 0x60 })
      const rogueLeaf = await leafUnder(rogueCA, { uris: ['spiffe://example.org/client'] })
      await connectResuming(port, maxVersion, 2, rogueLeaf, [rogueCA])
      expect(seen.map((s) => [s.resumed, s.outcome])).toEqual([
        [false, 'ERR_X509_UNTRUSTED'],
        [true, 'ERR_X509_UNTRUSTED'],
      ])
    } finally {
      server.close()
    }
  })

  it('a client on a resumed session is told why it cannot verify the server', async () => {
    const { server, port } = await startServer(maxVersion, (socket) => verifyPeerCertificate(socket, verifier))
    try {
      const seen = await connectResuming(port, maxVersion, 2, clientLeaf, [pki.intermediate])
      expect(seen).toEqual([
        { resumed: false, serverCheck: 'spiffe://example.org/server' },
        {
          resumed: true,
          serverCheck: 'ERR_X509_SVID_INVALID: the TLS session was resumed and the peer certificate is not available (disable session reuse to verify the peer)',
        },
      ])
    } finally {
      server.close()
    }
  })
})
