import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { urlParts } from '../../../src/server/extract.js'

// urlParts stands in for `new URL(href)` on the verifier's fast path (one configured origin, a
// serialised URL without fragment): every part the signature components read must be URL's.
function target(href: string, origin: string) {
  const q = href.indexOf('?')
  const base = q === -1 ? href : href.slice(0, q)
  return { href: base, pathname: base.slice(origin.length) }
}

const origins = ['https://api.example.com', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'https://xn--bcher-kva.example']

describe('urlParts', () => {
  it('reports the parts new URL reports, for any path and query', () => {
    fc.assert(
      fc.property(fc.constantFrom(...origins), fc.string({ maxLength: 40, unit: 'binary' }), fc.option(fc.string({ maxLength: 40, unit: 'binary' })), (origin, path, query) => {
        const href = new URL(`${origin}/${path.replace(/[#?\\]/g, '')}${query === null ? '' : `?${query.replace(/#/g, '')}`}`).href
        fc.pre(href.startsWith(origin + '/') && !href.includes('#'))
        const url = new URL(href)
        const parts = urlParts(href, target(href, url.origin))
        expect(parts).toEqual({ protocol: url.protocol, host: url.host, pathname: url.pathname, search: url.search, username: url.username, password: url.password, href: url.href })
      }),
      { numRuns: 500 },
    )
  })

  it('keeps URL semantics at the edges: an empty query, encoded characters, a port', () => {
    for (const href of ['https://api.example.com/x?', 'https://api.example.com/', 'http://127.0.0.1:8080/a%20b/c?d=%7E&e', 'https://api.example.com/x/y?y=1?z&%2e']) {
      const url = new URL(href)
      expect(url.href).toBe(href)
      expect(urlParts(href, target(href, url.origin))).toEqual({ protocol: url.protocol, host: url.host, pathname: url.pathname, search: url.search, username: '', password: '', href: url.href })
    }
  })
})
