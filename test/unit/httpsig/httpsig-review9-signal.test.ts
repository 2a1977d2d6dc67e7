// Review round 9: options.signal stops signing, with a signer or an HMAC key.
import { describe, expect, it } from 'vitest'
import { signRequest } from '../../../src/httpsig/index.js'
import type { Signer } from '../../../src/signer/types.js'

const CLOCK = () => 1_700_000_000_000
const hmacKey = new Uint8Array(32).fill(7)
const msg = () => ({ method: 'GET', url: 'https://api.example/orders', headers: {} as Record<string, string> })

describe('signing stops waiting when options.signal aborts', () => {
  it('an already aborted signal refuses HMAC signing', async () => {
    const ac = new AbortController()
    ac.abort(new Error('stop'))
    await expect(signRequest(msg(), { hmacKey, signal: ac.signal, clock: CLOCK })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
  })
  it('a signer that ignores the signal does not hang signing', async () => {
    const signer: Signer = { alg: 'ES256', sign: () => new Promise<Uint8Array>(() => undefined) } as unknown as Signer
    const ac = new AbortController()
    const p = signRequest(msg(), { signer, signal: ac.signal, clock: CLOCK })
    setTimeout(() => ac.abort(new Error('stop')), 5)
    await expect(p).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: { message: 'stop' } })
  })
  it('a signal that is not an AbortSignal is a coded TypeError', async () => {
    await expect(signRequest(msg(), { hmacKey, signal: {} as AbortSignal, clock: CLOCK })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })
  it('an unaborted signal does not change the result', async () => {
    const a = await signRequest(msg(), { hmacKey, clock: CLOCK })
    await expect(signRequest(msg(), { hmacKey, clock: CLOCK, signal: new AbortController().signal })).resolves.toEqual(a)
  })
})
