// Review 8 (Express adapter): passErrors is a switch that changes who answers a refusal; a
// non-boolean ('false' from a config file) turned it on. Such options are now refused with a
// coded TypeError when the middleware is built, as the verifier's own switches are.
import { describe, expect, it } from 'vitest'
import { workloadAuth } from '../../../src/adapters/express/index.js'
import type { RequestVerifier } from '../../../src/server/index.js'

const verifier = (async () => { throw new Error('unused') }) as unknown as RequestVerifier

describe('express workloadAuth: passErrors must be a boolean', () => {
  it.each(['false', 'true', 0, 1, null])('refuses passErrors %j', (value) => {
    expect(() => workloadAuth(verifier, { passErrors: value as unknown as boolean })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
  })

  it.each([true, false, undefined])('accepts passErrors %j', (value) => {
    expect(typeof workloadAuth(verifier, value === undefined ? {} : { passErrors: value })).toBe('function')
  })
})
