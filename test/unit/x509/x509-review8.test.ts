// Review round 8 regressions for agentauth/x509.
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/errors/index.js'
import { createX509SVIDVerifier } from '../../../src/x509/index.js'
import type { X509Bundle } from '../../../src/x509/index.js'
import { clock, createPKI } from '../../helpers/x509.js'

describe('a bundle source that ignores the call signal', () => {
  const never = { getX509Bundle: (): Promise<X509Bundle | undefined> => new Promise(() => undefined) }

  it('a timeout signal ends the wait with ERR_REMOTE_TIMEOUT (the verification hung)', async () => {
    const pki = await createPKI()
    const verifier = createX509SVIDVerifier({ bundles: never, clock })
    const err = await verifier([pki.leaf.der, pki.intermediate.der], { signal: AbortSignal.timeout(30) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).code).toBe('ERR_REMOTE_TIMEOUT')
  })

  it('another abort ends the wait with ERR_BUNDLE_FETCH, also when already aborted', async () => {
    const pki = await createPKI()
    const verifier = createX509SVIDVerifier({ bundles: never, clock })
    const controller = new AbortController()
    const pending = verifier([pki.leaf.der, pki.intermediate.der], { signal: controller.signal }).catch((e: unknown) => e)
    setTimeout(() => controller.abort(), 10)
    const err = await pending
    expect((err as ProtocolError).code).toBe('ERR_BUNDLE_FETCH')
    const again = await verifier([pki.leaf.der, pki.intermediate.der], { signal: controller.signal }).catch((e: unknown) => e)
    expect((again as ProtocolError).code).toBe('ERR_BUNDLE_FETCH')
  })

  it('a source answering in time still verifies under a signal', async () => {
    const pki = await createPKI()
    const bundle: X509Bundle = Object.freeze({ trustDomain: 'example.org', certificates: Object.freeze([pki.root.der]) })
    const verifier = createX509SVIDVerifier({ bundles: { getX509Bundle: async () => bundle }, clock })
    const svid = await verifier([pki.leaf.der, pki.intermediate.der], { signal: AbortSignal.timeout(5000) })
    expect(svid.id.id).toBe('spiffe://example.org/workload')
  })
})
