// Review round 6 regressions for agentauth/httpsig.
import { describe, expect, it } from 'vitest'
import { signRequest, verifyRequestSignature } from '../../../src/httpsig/index.js'

const CLOCK = () => 1_700_000_000_000
const message = () => ({ method: 'GET', url: 'https://api.example/orders', headers: {} as Record<string, string> })

async function signed(key: Uint8Array) {
  const m = message()
  const s = await signRequest(m, { hmacKey: key, components: ['@method', '@target-uri'], clock: CLOCK })
  m.headers['signature-input'] = s.signatureInput
  m.headers.signature = s.signature
  return m
}

describe('raw HMAC keys are used with their current bytes', () => {
  it('a key array overwritten in place (rotated or wiped) no longer verifies the old key\'s signatures', async () => {
    const oldKey = new Uint8Array(32).fill(1)
    const newKey = new Uint8Array(32).fill(2)
    const buffer = Uint8Array.from(oldKey)
    const verify = (m: ReturnType<typeof message>) => verifyRequestSignature(m, { algorithms: ['hmac-sha256'], key: () => ({ key: buffer, algorithm: 'hmac-sha256' }), clock: CLOCK })
    await expect(verify(await signed(oldKey))).resolves.toMatchObject({ label: 'sig1' })
    buffer.set(newKey) // rotated in place
    await expect(verify(await signed(oldKey))).rejects.toMatchObject({ code: 'ERR_HTTPSIG_SIGNATURE' })
    await expect(verify(await signed(newKey))).resolves.toMatchObject({ label: 'sig1' })
  })

  it('signing with a key array overwritten in place signs with the new bytes', async () => {
    const buffer = new Uint8Array(32).fill(3)
    const verifyWith = (key: Uint8Array, m: ReturnType<typeof message>) => verifyRequestSignature(m, { algorithms: ['hmac-sha256'], key: () => ({ key, algorithm: 'hmac-sha256' }), clock: CLOCK })
    await signed(buffer)
    buffer.fill(4)
    await expect(verifyWith(new Uint8Array(32).fill(4), await signed(buffer))).resolves.toMatchObject({ label: 'sig1' })
  })
})
