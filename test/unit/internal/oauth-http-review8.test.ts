// A connection lost while an OAuth answer is read (undici rejects the body read with an uncoded
// TypeError "terminated") is ERR_TOKEN_EXCHANGE_FAILED, like a failed request; an abort or a
// timeout signal's reason passes unchanged.
import { describe, expect, it } from 'vitest'
import { readBoundedBody, wrapNetworkError } from '../../../src/internal/oauth-http.js'
import { processTokenExchangeResponse } from '../../../src/token-exchange/index.js'

function dropping(): Response {
  let sent = false
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true
        controller.enqueue(new TextEncoder().encode('{"access_token":"a'))
        return
      }
      controller.error(new TypeError('terminated'))
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
}

describe('OAuth answers cut off mid-body', () => {
  it('readBoundedBody gives ERR_TOKEN_EXCHANGE_FAILED with the cause kept', async () => {
    const err = await readBoundedBody(dropping(), 65_536, 'token response').catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_TOKEN_EXCHANGE_FAILED' })
    expect((err as { cause?: unknown }).cause).toBeInstanceOf(TypeError)
  })

  it('processTokenExchangeResponse gives ERR_TOKEN_EXCHANGE_FAILED, not the uncoded TypeError', async () => {
    await expect(processTokenExchangeResponse(dropping())).rejects.toMatchObject({ code: 'ERR_TOKEN_EXCHANGE_FAILED' })
  })

  it('wrapNetworkError keeps abort and timeout reasons', () => {
    const timeout = new DOMException('timed out', 'TimeoutError')
    const abort = new DOMException('aborted', 'AbortError')
    expect(wrapNetworkError(timeout)).toBe(timeout)
    expect(wrapNetworkError(abort)).toBe(abort)
    expect(wrapNetworkError(new Error('ECONNREFUSED'))).toMatchObject({ code: 'ERR_TOKEN_EXCHANGE_FAILED' })
  })
})
