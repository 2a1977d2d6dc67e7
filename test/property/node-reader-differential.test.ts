// The Node adapters read a verifier's input straight from the IncomingMessage (web-request.ts), a
// second reader beside fetch's Request. Property: for any request — signed for a random path and
// then edited the way a client, proxy or attacker might (raw request targets the URL parser would
// rewrite, header name case, padding, repeated lines, junk fields, a swapped body) — a server on the
// direct path and a server that converts with toWebRequest and verifies the Request reach the same
// outcome: the same status and error code, or the same caller, method, URL and body.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { credentialed, ORIGIN } from '../helpers/adapters-fixtures.js'
import { useDifferentialPair } from '../helpers/node-differential.js'
import { serialiseRaw } from '../helpers/raw-http.js'

const RUNS = Number(process.env.FC_RUNS ?? 120)
// Path pieces: plain and reserved characters, percent-encodings in both cases (including encoded
// unreserved characters, "/" and "."), dot segments, empty segments and parameters.
const segment = fc.array(fc.constantFrom('a', 'b', 'tools', 'a', 'b', 'x-y', 'v1', '%41', '%61', '%2f', '%2F', '%2e', '%2E', '.', '..', '', ';p=1', '~', '%7e', '%7E', '%25', '%C3%A9', '@', ':', '!', '$', "'", '(', '*', '+', ',', '='), { minLength: 1, maxLength: 3 }).map((s) => s.join(''))
const rawPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`)
const query = fc.option(fc.array(fc.constantFrom('a', '=', '&', '%20', '+', '?', '/', '.', '%2F', '%7e'), { maxLength: 6 }).map((s) => `?${s.join('')}`), { nil: undefined })

type Edit =
  | { t: 'case'; i: number; upper: boolean }
  | { t: 'pad'; i: number; pad: string }
  | { t: 'dup'; i: number }
  | { t: 'drop'; i: number }
  | { t: 'junk'; name: string; value: string }
  | { t: 'length0' }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ t: fc.constant('case' as const), i: fc.nat(12), upper: fc.boolean() }),
  fc.record({ t: fc.constant('pad' as const), i: fc.nat(12), pad: fc.constantFrom(' ', '\t', '  ', ' \t') }),
  fc.record({ t: fc.constant('dup' as const), i: fc.nat(12) }),
  fc.record({ t: fc.constant('drop' as const), i: fc.nat(12) }),
  fc.record({ t: fc.constant('junk' as const), name: fc.stringMatching(/^x-[a-z0-9-]{1,10}$/), value: fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,30}$/) }),
  fc.constant({ t: 'length0' as const }),
)

function applyEdits(lines: Array<[string, string]>, edits: readonly Edit[]): Array<[string, string]> {
  let out = lines.slice()
  for (const e of edits) {
    // Host and Connection stay: without them the server answers before either reader runs.
    const pick = (i: number) => {
      const candidates = out.map((l, j) => [l, j] as const).filter(([[k]]) => !/^(host|connection)$/i.test(k))
      return candidates.length === 0 ? undefined : candidates[i % candidates.length]![1]
    }
    if (e.t === 'junk') out.push([e.name, e.value])
    else if (e.t === 'length0') { if (!out.some(([k]) => /^content-length$/i.test(k))) out.push(['Content-Length', '0']) }
    else {
      const j = pick(e.i)
      if (j === undefined) continue
      const [k, v] = out[j]!
      if (e.t === 'case') out[j] = [e.upper ? k.toUpperCase() : k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase()), v]
      else if (e.t === 'pad') out[j] = [k, `${e.pad}${v}${e.pad}`]
      else if (e.t === 'dup') out.splice(j, 0, [k, v])
      else out = out.filter((_, x) => x !== j)
    }
  }
  return out
}

describe('node adapter: direct reading and toWebRequest agree on any request (property)', () => {
  const pair = useDifferentialPair()

  it('same status and code, or same caller, method, URL and body', async () => {
    const seen = { accepted: 0, refused: 0 }
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('wpt' as const, 'httpsig' as const),
      rawPath,
      query,
      fc.option(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), { nil: undefined }),
      fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'grapheme' }) }),
      fc.oneof({ weight: 2, arbitrary: fc.constant([] as Edit[]) }, { weight: 3, arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }) }),
      fc.constantFrom('origin-form', 'signed-form', 'signed-form', 'absolute-form'),
      async (kind, path, q, body, swapped, edits, form) => {
        const raw = path + (q ?? '')
        // The proof is made for the URL a fetch client would send (the parser's normal form); the
        // request line carries that form, the raw one, or an absolute-form target.
        const signedFor = new URL(ORIGIN + raw)
        const req = await credentialed(kind, pair.fx.agent, signedFor.pathname + signedFor.search, body === undefined ? {} : { body, contentType: 'text/plain' })
        const target = form === 'origin-form' ? raw : form === 'signed-form' ? undefined : `http://api.example.com${raw}`
        const bytes = await serialiseRaw(req, (l) => applyEdits(l, edits), swapped, target)
        const a = await pair.both(bytes)
        if (a.status === 200) seen.accepted++
        else seen.refused++
      },
    ), { numRuns: RUNS })
    // The generators reach both outcomes (a property that only ever compares refusals proves little).
    expect(seen.accepted).toBeGreaterThan(0)
    expect(seen.refused).toBeGreaterThan(0)
  }, 120_000)
})
