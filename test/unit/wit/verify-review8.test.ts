// Review round 8: options.signal ("aborts a trust-bundle fetch") also stops verifyWIT waiting for a
// trust-bundle source that ignores it; the verification failed never and hung instead.
import { describe, expect, it } from 'vitest'
import type { TrustBundleSource } from '../../../src/bundle/index.js'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { bundlesFor, clockAt, issuer, NOW, TD, workloadJwk } from '../../helpers/wit.js'

describe('verifyWIT and a trust-bundle source that ignores the signal', () => {
  it('fails closed with ProtocolError ERR_BUNDLE_FETCH when the signal aborts', async () => {
    const iss = await issuer('ES256')
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workloadJwk('ES256') }, { signer: iss.signer, clock: clockAt(NOW) })
    const hung: TrustBundleSource = { getBundle: () => new Promise(() => {}) }
    const controller = new AbortController()
    const pending = verifyWIT(wit, { trustBundles: hung, clock: clockAt(NOW), signal: controller.signal })
    controller.abort(new Error('request gone'))
    await expect(pending).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH', cause: new Error('request gone') })
    await expect(verifyWIT(wit, { trustBundles: hung, clock: clockAt(NOW), signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
  })

  it('still verifies with a source answering synchronously or with a promise, signal or not', async () => {
    const iss = await issuer('ES256')
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workloadJwk('ES256') }, { signer: iss.signer, clock: clockAt(NOW) })
    const real = bundlesFor([TD, [iss.jwk]])
    const bundle = await real.getBundle(TD)
    const sync = { getBundle: () => bundle } as unknown as TrustBundleSource
    for (const trustBundles of [real, sync]) {
      await expect(verifyWIT(wit, { trustBundles, clock: clockAt(NOW), signal: new AbortController().signal })).resolves.toMatchObject({ trustDomain: TD })
      await expect(verifyWIT(wit, { trustBundles, clock: clockAt(NOW) })).resolves.toMatchObject({ trustDomain: TD })
    }
  })
})
