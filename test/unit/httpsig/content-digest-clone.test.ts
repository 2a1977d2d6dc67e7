// Regression: a streamed body over the limit, read from a clone of the request, must be refused
// promptly (cancelling one branch of a tee'd body never settles while the other branch is alive).
import { describe, expect, it } from 'vitest'
import { verifyMessageContentDigest } from '../../../src/httpsig/index.js'

function streamedRequest(bytes: number): Request {
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close()
      const chunk = new Uint8Array(Math.min(16 * 1024, bytes - sent)).fill(97)
      sent += chunk.length
      controller.enqueue(chunk)
    },
  })
  return new Request('https://api.example.com/upload', { method: 'POST', body, duplex: 'half', headers: { 'content-digest': 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:' } } as RequestInit)
}

describe('Content-Digest over a cloned streamed body', () => {
  it('refuses a body over the limit without hanging, and the original stays readable', async () => {
    const request = streamedRequest(256 * 1024)
    const outcome = await Promise.race([
      verifyMessageContentDigest(request, { maxBytes: 64 * 1024 }).then(() => 'resolved', (e: { code?: string }) => e.code),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 5000)),
    ])
    expect(outcome).toBe('ERR_BODY_TOO_LARGE')
  })
})
