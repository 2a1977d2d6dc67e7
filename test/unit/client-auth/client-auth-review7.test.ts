import { describe, expect, it } from 'vitest'
import { processTokenResponse } from '../../../src/client-auth/index.js'

describe('processTokenResponse options (review 7)', () => {
  it('a null options object is a coded TypeError', async () => {
    const response = new Response(JSON.stringify({ access_token: 'a', token_type: 'Bearer' }), { status: 200, headers: { 'content-type': 'application/json' } })
    await expect(processTokenResponse(response, null as never)).rejects.toEqual(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
