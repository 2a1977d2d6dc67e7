import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSerialisedTarget } from '../../../src/adapters/node/web-request.js'

// The Node reader skips the URL parse when isSerialisedTarget says the parser would return the
// target unchanged: that claim must hold for every target it accepts.
const origins = ['https://api.example.com', 'http://127.0.0.1:8080', 'http://[::1]:3000']
const chars = fc.constantFrom(...'aZ09-._~!$&\'()*+,;=:@/?%#[]{}|\\^` "<>.\t\u00e9'.split(''))

describe('isSerialisedTarget', () => {
  it('accepts only targets the URL parser serialises unchanged', () => {
    fc.assert(
      fc.property(fc.constantFrom(...origins), fc.array(chars, { maxLength: 30 }).map((a) => '/' + a.join('')), (origin, t) => {
        if (isSerialisedTarget(t)) expect(new URL(origin + t).href).toBe(origin + t)
      }),
      { numRuns: 5000 },
    )
  })

  it('accepts ordinary targets and refuses dot segments, escapes and characters the parser encodes', () => {
    for (const t of ['/', '/tools/search?q=weather', '/a/b.c/..d/.e?x=1&y=2/3?', '/v1/items/42;v=1', '/x?']) expect(isSerialisedTarget(t)).toBe(true)
    for (const t of ['/a/../b', '/a/./b', '/a/..', '/.', '/a%2e%2e/b', '/a b', '/a?b c', "/a?b'c", '/a\\b', '/a#b', '/ä', 'x', '']) expect(isSerialisedTarget(t)).toBe(false)
  })
})
