// Review round 8: random field lines and raw request targets through createSignatureBase and
// http-message-sig (Cloudflare): the same signature base, line for line.
import fc from 'fast-check'
import * as cf from 'http-message-sig'
import { describe, expect, it } from 'vitest'
import { createSignatureBase } from '../../src/httpsig/index.js'

async function cfLines(url: string, target: string, fields: Array<[string, string]>, components: string[]): Promise<string[] | string> {
  let captured = ''
  try {
    await cf.createSignature({ kind: 'request', method: 'GET', targetUri: url, requestTarget: target, fields: fields.map(([name, value]) => ({ name, value })) }, {
      label: 'x', components, parameters: { created: 1 },
      signer: { algorithm: 'hmac-sha256', sign: async (d) => { captured = new TextDecoder().decode(d); return new Uint8Array(32) } },
    })
  } catch (err) {
    return 'error: ' + String((err as Error).message)
  }
  return captured.split('\n').slice(0, -1)
}

function ourLines(url: string, target: string, fields: Array<[string, string]>, components: string[]): string[] | string {
  try {
    return createSignatureBase({ method: 'GET', url, requestTarget: target, headers: fields }, components, {}).split('\n').slice(0, -1)
  } catch (err) {
    return 'error: ' + String((err as { code?: string }).code)
  }
}

const PATH_CHARS = [...'abcAZ09-._~!$&\'()*+,;=:@/%']
const QUERY_CHARS = [...PATH_CHARS, '?', '%20', '%41', '%zz', '&', '=']
const VALUE_CHARS = [...'abc XYZ09,;=-_/"\'\t()<>@[]{}?!#$%^&*+~`|\\:', '  ']

describe('createSignatureBase ≡ http-message-sig', () => {
  it('random field lines (values with spaces and tabs, several lines, empty lines) and raw origin-form targets', async () => {
    let compared = 0
    await fc.assert(fc.asyncProperty(
      fc.string({ unit: fc.constantFrom(...PATH_CHARS), maxLength: 20 }),
      fc.option(fc.string({ unit: fc.constantFrom(...QUERY_CHARS), maxLength: 20 }), { nil: undefined }),
      fc.array(fc.tuple(fc.constantFrom('x-a', 'X-A', 'x-b'), fc.string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 16 })), { minLength: 1, maxLength: 4 }),
      async (path, query, fields) => {
        const target = '/' + path + (query === undefined ? '' : '?' + query)
        const url = 'https://h.example' + target
        const names = [...new Set(fields.map(([n]) => n.toLowerCase()))]
        const components = ['@method', '@path', '@query', '@request-target', '@target-uri', ...names]
        const theirs = await cfLines(url, target, fields, components)
        if (typeof theirs === 'string') return // their refusal (e.g. a URL they cannot parse)
        expect(ourLines(url, target, fields, components)).toEqual(theirs)
        compared++
      },
    ), { numRuns: 300 })
    expect(compared).toBeGreaterThan(150)
  })
})
