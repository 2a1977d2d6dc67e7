// Review round 9: a refreshing WIT source whose fetch fails hands its callers a coded error.
import { describe, expect, it } from 'vitest'
import { ProtocolError, SignerError } from '../../../src/errors/index.js'
import { refreshingWITSource } from '../../../src/wit/index.js'

describe('refreshingWITSource: fetch failures are coded (review 9)', () => {
  it('a rejecting, throwing or non-Error-rejecting fetch is ProtocolError ERR_WIT_FETCH with the cause', async () => {
    const boom = new TypeError('fetch failed')
    for (const fetchWIT of [() => Promise.reject(boom), () => { throw boom }]) {
      const err = await refreshingWITSource(fetchWIT).getWIT().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ProtocolError)
      expect(err).toMatchObject({ code: 'ERR_WIT_FETCH', cause: boom })
    }
    await expect(refreshingWITSource(() => Promise.reject('down')).getWIT()).rejects.toMatchObject({ code: 'ERR_WIT_FETCH', cause: 'down' })
  })

  it('an agentauth error from the fetch function passes unchanged; the caller signal reason too', async () => {
    const refused = new SignerError('ERR_SIGNER_REFUSED', 'broker says no')
    await expect(refreshingWITSource(() => Promise.reject(refused)).getWIT()).rejects.toBe(refused)
    const reason = new Error('caller gone')
    await expect(refreshingWITSource(() => new Promise(() => {})).getWIT({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
  })
})
