// Review round 6: a header or payload JSON.stringify cannot serialise (a BigInt, a cycle, nesting
// too deep) is a coded TypeError from createCompactJWS and the minters built on it, never a plain one.
import { describe, expect, it } from 'vitest'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'

describe('createCompactJWS with values JSON cannot hold', () => {
  it('refuses a BigInt, a cycle or a deep nest in the payload or header with ERR_INVALID_ARG_VALUE', async () => {
    const signer = await generateSigner('ES256')
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    let deep: Record<string, unknown> = {}
    for (let i = 0; i < 200_000; i++) deep = { d: deep }
    for (const payload of [{ n: 1n }, cycle, deep]) {
      await expect(createCompactJWS({ typ: 'JWT' }, payload, signer)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    }
    await expect(createCompactJWS({ typ: 'JWT', big: 2n }, { a: 1 }, signer)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('createWIT with a BigInt in extra is a coded TypeError, not a token', async () => {
    const issuer = await generateSigner('ES256', { kid: 'k' })
    const workload = await (await generateSigner('ES256')).publicJwk()
    await expect(createWIT({ sub: 'wimse://example.org/a', publicJwk: workload, extra: { 'example.org/n': 1n } }, { signer: issuer }))
      .rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })
})
