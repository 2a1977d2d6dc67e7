import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { unsignedJsonSubjectToken } from '../../../src/txn-token/index.js'

const context = { client: { clientId: 'c' }, request: new Request('https://tts.example/'), replayCache: undefined }

async function code(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  return err instanceof VerificationError ? err.code : 'no VerificationError'
}

describe('unsignedJsonSubjectToken maxBytes (review 9)', () => {
  it('counts UTF-8 bytes, as documented, not UTF-16 code units', async () => {
    const verify = unsignedJsonSubjectToken({ maxBytes: 4096 })
    // 2000 euro signs: 2000 code units but 6000 UTF-8 bytes.
    const token = JSON.stringify({ sub: 'user-1', scope: 'a', note: '€'.repeat(2000) })
    expect(token.length).toBeLessThan(4096)
    expect(await code(verify(token, context))).toBe('ERR_INPUT_TOO_LARGE')
  })

  it('accepts a token of exactly maxBytes UTF-8 bytes and refuses one byte more', async () => {
    const verify = unsignedJsonSubjectToken({ maxBytes: 64 })
    const head = '{"sub":"u","note":"'
    const at = `${head}x${'é'.repeat(21)}"}`
    expect(new TextEncoder().encode(at).length).toBe(64)
    expect((await verify(at, context)).subject).toBe('u')
    const over = `${head}xx${'é'.repeat(21)}"}`
    expect(await code(verify(over, context))).toBe('ERR_INPUT_TOO_LARGE')
  })
})
