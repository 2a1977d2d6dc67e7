// Review round 8: a crypto provider whose digest fails (rejects or throws) makes verifyWPT fail
// closed with a coded VerificationError and createWPT with SignerError ERR_SIGNER_FAILED; the
// provider's own uncoded error came out before.
import { describe, expect, it } from 'vitest'
import { staticTrustBundles } from '../../../src/bundle/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { createWPT, verifyWPT } from '../../../src/wpt/index.js'

function brokenDigest(mode: 'reject' | 'throw'): Crypto {
  const broken = new Error('digest broke')
  const subtle = new Proxy(crypto.subtle, {
    get: (target, prop) => (prop === 'digest' ? () => (mode === 'reject' ? Promise.reject(broken) : (() => { throw broken })()) : (Reflect.get(target, prop) as (...a: unknown[]) => unknown).bind(target)),
  })
  return { subtle, getRandomValues: crypto.getRandomValues.bind(crypto) } as unknown as Crypto
}

describe('WPT hashing with a failing crypto provider', async () => {
  const iss = await generateSigner('ES256', { kid: 'i' })
  const workload = await generateSigner('ES256')
  const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workload.publicJwk() }, { signer: iss })
  const verified = await verifyWIT(wit, { trustBundles: staticTrustBundles({ 'example.org': [await iss.publicJwk()] }) })
  const uri = 'https://api.example.org/x'

  it.each(['reject', 'throw'] as const)('digest that %ss: verifyWPT refuses with a coded error, createWPT with ERR_SIGNER_FAILED', async (mode) => {
    const wpt = await createWPT({ wit, signer: workload, uri, accessToken: 'at-1' })
    // a fresh VerifiedWIT each time: the WIT hash is cached per object
    const fresh = { ...verified }
    await expect(verifyWPT(wpt, { wit: fresh, uri, accessToken: 'at-1', crypto: brokenDigest(mode) })).rejects.toMatchObject({ code: 'ERR_WPT_BINDING_MISMATCH', cause: new Error('digest broke') })
    await expect(createWPT({ wit, signer: workload, uri, crypto: brokenDigest(mode) })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: new Error('digest broke') })
    await expect(verifyWPT(wpt, { wit: { ...verified }, uri, accessToken: 'at-1' })).resolves.toMatchObject({ id: 'wimse://example.org/a' })
  })
})
