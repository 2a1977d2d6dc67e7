// Review round 9: the mTLS helpers took no signal, so a bundle source that never answers held
// the verification (and the TLS connection waiting on it) forever, with no way for the caller to
// bound it. verifyPeerCertificate and the authoriser now pass a call `signal` to the verifier.
import type { TLSSocket } from 'node:tls'
import { beforeAll, describe, expect, it } from 'vitest'
import { createPeerAuthorizer, verifyPeerCertificate } from '../../../src/adapters/node/mtls.js'
import { matchAny } from '../../../src/identifier/index.js'
import { createX509SVIDVerifier, staticX509Bundles, type X509Bundle, type X509BundleSource } from '../../../src/x509/index.js'
import { clock, createPKI, type Issued, type TestPKI } from '../../helpers/x509.js'

function fakeSocket(chain: Issued[]): TLSSocket {
  const certs = chain.map((c) => ({ raw: Buffer.from(c.der), issuerCertificate: undefined as unknown }))
  certs.forEach((c, i) => (c.issuerCertificate = certs[i + 1]))
  return { getPeerCertificate: (detailed?: boolean) => (detailed ? certs[0] : { ...certs[0], issuerCertificate: undefined }), isSessionReused: () => false } as unknown as TLSSocket
}

let pki: TestPKI
beforeAll(async () => {
  pki = await createPKI('example.org')
})

/** Answers the bundle until `hang` is set, then never answers (and ignores any signal). */
function hangingSource(): { source: X509BundleSource; hang: () => void } {
  const good = staticX509Bundles({ 'example.org': pki.root.der }).getX509Bundle('example.org')
  let hanging = false
  return {
    source: { getX509Bundle: () => (hanging ? new Promise<X509Bundle | undefined>(() => undefined) : good) },
    hang: () => (hanging = true),
  }
}

describe('mTLS helpers bound the wait for a bundle source with a call signal', () => {
  it('verifyPeerCertificate rejects when its signal fires while the source hangs', async () => {
    const { source, hang } = hangingSource()
    hang()
    const verifier = createX509SVIDVerifier({ bundles: source, clock })
    const socket = fakeSocket([pki.leaf, pki.intermediate])
    await expect(verifyPeerCertificate(socket, verifier, { signal: AbortSignal.timeout(20) })).rejects.toMatchObject({ code: 'ERR_REMOTE_TIMEOUT' })
  })

  it('the authoriser rejects on a new and on a known connection when its signal fires', async () => {
    const { source, hang } = hangingSource()
    const authorize = createPeerAuthorizer(createX509SVIDVerifier({ bundles: source, clock }), matchAny(), { clock })
    const socket = fakeSocket([pki.leaf, pki.intermediate])
    expect((await authorize(socket, { signal: AbortSignal.timeout(1000) })).id.id).toBe('spiffe://example.org/workload')
    hang()
    const controller = new AbortController()
    const pending = authorize(socket, { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
    await expect(authorize(fakeSocket([pki.leaf, pki.intermediate]), { signal: AbortSignal.timeout(20) })).rejects.toMatchObject({ code: 'ERR_REMOTE_TIMEOUT' })
  })

  it('refuses a signal that is not an AbortSignal', async () => {
    const verifier = createX509SVIDVerifier({ bundles: hangingSource().source, clock })
    const socket = fakeSocket([pki.leaf, pki.intermediate])
    await expect(verifyPeerCertificate(socket, verifier, { signal: 'x' as unknown as AbortSignal })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(createPeerAuthorizer(verifier, matchAny())(socket, null as unknown as undefined)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })
})

describe('createPeerAuthorizer TSDoc example: the status it answers', () => {
  // The example answered `err.status ?? 500`. A ProtocolError's status is the *upstream's* HTTP
  // status: a trust-bundle endpoint serving an invalid document (HTTP 200) made the example answer
  // the refused peer 200 OK. It now answers a VerificationError's status, else 503.
  it('a remote bundle document that is invalid is not answered with 200', async () => {
    const { remoteTrustBundle } = await import('../../../src/bundle/index.js')
    const { x509BundlesFromTrustBundles } = await import('../../../src/x509/index.js')
    const { VerificationError } = await import('../../../src/errors/index.js')
    const remote = remoteTrustBundle({
      urls: { 'example.org': 'https://bundle.example.org/' },
      fetch: async () => new Response('{"keys":"nope"}', { status: 200 }),
    })
    const verifier = createX509SVIDVerifier({ bundles: x509BundlesFromTrustBundles(remote), clock })
    const authorizePeer = createPeerAuthorizer(verifier, matchAny())
    const err = await authorizePeer(fakeSocket([pki.leaf, pki.intermediate])).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_BUNDLE_FETCH', status: 200 })
    // The example's status expression, as now documented.
    const answered = err instanceof VerificationError ? err.status : 503
    expect(answered).toBe(503)
    const src = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../../src/adapters/node/mtls.ts', import.meta.url), 'utf8'))
    expect(src).not.toContain('.status ?? 500')
    expect(src).toContain('res.writeHead(err instanceof VerificationError ? err.status : 503).end()')
  })
})

describe('X.509-SVID verifier call options', () => {
  // A signal that is not an AbortSignal was handed to the bundle source and the failure reported as
  // ProtocolError ERR_BUNDLE_FETCH (a 503 blaming the bundle for a caller's bug).
  for (const options of [{ signal: 'x' }, { signal: {} }, { signal: null }, null, 'x']) {
    it(`refuses call options ${JSON.stringify(options)} with a coded TypeError`, async () => {
      const verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.der }), clock })
      await expect(verifier([pki.leaf.der, pki.intermediate.der], options as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    })
  }
})
