// X.509-SVIDs: parse and verify a SPIFFE certificate chain against the X.509 bundle of its trust
// domain, then use the same verifier for mutual TLS on loopback, where the server authorises the
// caller's SPIFFE ID with an identifier matcher.
// Run: npx tsx examples/x509-svid.ts
//
// The demo PKI is generated here with @peculiar/x509 (in production SPIRE or your CA issues the
// certificates and you load PEM files). agentauth itself loads @peculiar/x509 lazily, only through
// `agentauth/x509`.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { connect, createServer } from 'node:tls'
import { createPeerAuthorizer, verifyPeerCertificate } from '../src/adapters/node/index.js'
import { isAgentAuthError } from '../src/errors/index.js'
import { matchId } from '../src/identifier/index.js'
import { createX509SVIDVerifier, parseX509SVID, SPEC, staticX509Bundles } from '../src/x509/index.js'

console.log(SPEC.spiffe)

// --- A demo PKI: root CA → intermediate CA → workload SVIDs ------------------------------------
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const now = Date.now()
const keys = async (): Promise<CryptoKeyPair> => (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair
const F = x509.KeyUsageFlags

async function certificate(subject: string, uri: string, key: CryptoKeyPair, issuer?: { name: string; key: CryptoKeyPair }, ca = false): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer?.name ?? subject,
    publicKey: key.publicKey,
    signingKey: (issuer?.key ?? key).privateKey,
    signingAlgorithm: alg,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3_600_000),
    extensions: [
      new x509.BasicConstraintsExtension(ca, undefined, true),
      new x509.KeyUsagesExtension(ca ? F.keyCertSign | F.cRLSign : F.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }], subject === ''), // critical without a subject
    ],
  })
}

const rootKey = await keys()
const root = await certificate('CN=example.org root', 'spiffe://example.org', rootKey, undefined, true)
const intermediateKey = await keys()
const intermediate = await certificate('CN=example.org intermediate', 'spiffe://example.org', intermediateKey, { name: 'CN=example.org root', key: rootKey }, true)
const issuer = { name: 'CN=example.org intermediate', key: intermediateKey }
const pemKey = async (k: CryptoKeyPair): Promise<string> =>
  `-----BEGIN PRIVATE KEY-----\n${Buffer.from(await crypto.subtle.exportKey('pkcs8', k.privateKey)).toString('base64')}\n-----END PRIVATE KEY-----\n`
async function svid(id: string): Promise<{ key: string; cert: string; leaf: string }> {
  const key = await keys()
  const leaf = await certificate('', id, key, issuer)
  return { key: await pemKey(key), cert: `${leaf.toString('pem')}\n${intermediate.toString('pem')}`, leaf: leaf.toString('pem') }
}

// --- Parse (no trust yet) and verify (trust) ---------------------------------------------------
const billing = await svid('spiffe://example.org/billing')
const parsed = await parseX509SVID(billing.cert) // SPIFFE leaf rules only; nothing verified
console.log('parsed:', parsed.id.id, 'expires', new Date(parsed.leaf.notAfter).toISOString())

const bundles = staticX509Bundles({ 'example.org': root.toString('pem') }) // e.g. from SPIRE's bundle endpoint
const verifier = createX509SVIDVerifier({ bundles })
const verified = await verifier(billing.cert)
console.log('verified:', verified.id.id, `(${verified.chain.length} certificates to the bundle root)`)

try {
  await verifier(billing.leaf) // the leaf without its intermediate
} catch (err) {
  if (!isAgentAuthError(err)) throw err
  console.log('refused:', err.code, '-', (err as { reason?: string }).reason)
}

// --- Mutual TLS on loopback -----------------------------------------------------------------
const serverSVID = await svid('spiffe://example.org/ledger')
const authorizePeer = createPeerAuthorizer(verifier, matchId('spiffe://example.org/billing'))
const server = createServer({ key: serverSVID.key, cert: serverSVID.cert, requestCert: true, rejectUnauthorized: false }, (socket) => {
  authorizePeer(socket)
    .then((peer) => socket.end(`hello ${peer.id.id}\n`))
    .catch((err: unknown) => socket.end(`refused: ${isAgentAuthError(err) ? err.code : 'error'}\n`))
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const { port } = server.address() as AddressInfo

async function call(client: { key: string; cert: string }): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, key: client.key, cert: client.cert })
  await once(socket, 'secureConnect')
  const serverId = (await verifyPeerCertificate(socket, verifier)).id.id // the client checks the server too
  let answer = ''
  for await (const chunk of socket) answer += String(chunk)
  return `${serverId} answered: ${answer.trim()}`
}

console.log(await call(billing))
console.log(await call(await svid('spiffe://example.org/intruder')))
server.close()
