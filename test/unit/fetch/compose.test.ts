import { describe, expect, it } from 'vitest'
import { composeFetch, type FetchMiddleware } from '../../../src/fetch/index.js'

const tag = (name: string, log: string[]): FetchMiddleware => (next) => async (input, init) => {
  log.push(`${name}>`)
  const response = await next(input, init)
  log.push(`<${name}`)
  return response
}

describe('composeFetch', () => {
  it('makes the first middleware the outermost', async () => {
    const log: string[] = []
    const fetch = composeFetch(async () => {
      log.push('base')
      return new Response('ok')
    }, tag('a', log), tag('b', log))
    expect(await (await fetch('https://x.example/')).text()).toBe('ok')
    expect(log).toEqual(['a>', 'b>', 'base', '<b', '<a'])
  })

  it('returns the base fetch unchanged without middleware and refuses non-functions', () => {
    const base = async () => new Response()
    expect(composeFetch(base)).toBe(base)
    expect(() => composeFetch('fetch' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => composeFetch(base, 1 as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => composeFetch(base, (() => 'nope') as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
