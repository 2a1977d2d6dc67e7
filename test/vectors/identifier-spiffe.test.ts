// go-spiffe spiffeid test tables (test/vectors/data/spiffe-id-cases.json): every case.
// go-spiffe has one sentinel per rule; agentauth has one code per rule, with five refinements of
// the charset sentinels: when the first byte outside the charset is a URI delimiter, the code names
// the component it would start (? query, # fragment, @ userinfo, : port) or % percent-encoding.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  formatSpiffeId,
  parseSpiffeId,
  parseTrustDomain,
  parseWorkloadIdentifier,
  replacePath,
} from '../../src/identifier/index.js'
import { outcome, SPIFFE_SEGMENT_CHARS, TRUST_DOMAIN_CHARS } from '../helpers/identifier.js'

interface Case { input: string; valid: boolean; error?: string; trust_domain?: string; path?: string; origin?: string }
const data = JSON.parse(readFileSync(new URL('./data/spiffe-id-cases.json', import.meta.url), 'utf8')) as {
  source: { error_messages: Record<string, string> }
  spiffe_id_from_string: Case[]
  spiffe_id_from_url_parts: (Case & { input_url_struct?: Record<string, string> })[]
  trust_domain_from_string: Case[]
  path_from_segments: { segments: string[]; valid: boolean; path?: string; error?: string }[]
  replace_path: { start: string; replace: string; valid: boolean; path?: string; error?: string }[]
}
const msg = data.source.error_messages
const GO_TO_CODE: Record<string, string> = {
  [msg.errEmpty!]: 'ERR_IDENTIFIER_EMPTY',
  [msg.errWrongScheme!]: 'ERR_IDENTIFIER_SCHEME',
  [msg.errMissingTrustDomain!]: 'ERR_IDENTIFIER_TRUST_DOMAIN_MISSING',
  [msg.errBadTrustDomainChar!]: 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR',
  [msg.errBadPathSegmentChar!]: 'ERR_IDENTIFIER_PATH_CHAR',
  [msg.errDotSegment!]: 'ERR_IDENTIFIER_DOT_SEGMENT',
  [msg.errEmptySegment!]: 'ERR_IDENTIFIER_EMPTY_SEGMENT',
  [msg.errTrailingSlash!]: 'ERR_IDENTIFIER_TRAILING_SLASH',
  [msg.errNoLeadingSlash!]: 'ERR_IDENTIFIER_PATH_RELATIVE',
}
const TD_DELIMS: Record<string, string> = {
  '?': 'ERR_IDENTIFIER_QUERY', '#': 'ERR_IDENTIFIER_FRAGMENT', '@': 'ERR_IDENTIFIER_USERINFO',
  ':': 'ERR_IDENTIFIER_PORT', '%': 'ERR_IDENTIFIER_PERCENT_ENCODING',
}
const PATH_DELIMS: Record<string, string> = {
  '?': 'ERR_IDENTIFIER_QUERY', '#': 'ERR_IDENTIFIER_FRAGMENT', '%': 'ERR_IDENTIFIER_PERCENT_ENCODING',
}
const firstOutside = (s: string, allowed: string): string | undefined => [...s].find((ch) => !allowed.includes(ch))

/** Expected agentauth code for a go-spiffe case, from its sentinel and the offending byte. */
function expectedCode(error: string, trustDomain: string, path: string): string {
  const code = GO_TO_CODE[error]
  expect(code, `unmapped go-spiffe error ${error}`).toBeDefined()
  if (code === 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR') return TD_DELIMS[firstOutside(trustDomain, TRUST_DOMAIN_CHARS) ?? ''] ?? code
  if (code === 'ERR_IDENTIFIER_PATH_CHAR') return PATH_DELIMS[firstOutside(path, `${SPIFFE_SEGMENT_CHARS}/`) ?? ''] ?? code
  return code!
}
function split(id: string): [string, string] {
  const rest = id.startsWith('spiffe://') ? id.slice(9) : id
  const slash = rest.indexOf('/')
  return slash < 0 ? [rest, ''] : [rest.slice(0, slash), rest.slice(slash)]
}

describe('go-spiffe FromString (535 cases)', () => {
  it('has the expected table size', () => {
    expect(data.spiffe_id_from_string).toHaveLength(535)
    expect(data.spiffe_id_from_string.filter((c) => c.valid)).toHaveLength(108)
  })
  for (const c of data.spiffe_id_from_string) {
    it(`${c.origin ?? ''} ${JSON.stringify(c.input)}`, () => {
      if (c.valid) {
        for (const parse of [parseSpiffeId, (v: string) => parseWorkloadIdentifier(v), (v: string) => parseWorkloadIdentifier(v, { profile: 'spiffe' })]) {
          const id = parse(c.input)
          expect(id).toEqual({ id: c.input, scheme: 'spiffe', trustDomain: c.trust_domain, path: c.path, origin: `spiffe://${c.trust_domain}` })
          expect(Object.isFrozen(id)).toBe(true)
        }
      } else {
        const [td, path] = split(c.input)
        const want = expectedCode(c.error!, td, path)
        expect(outcome(() => parseSpiffeId(c.input))).toBe(want)
        expect(outcome(() => parseWorkloadIdentifier(c.input, { profile: 'spiffe' }))).toBe(want)
      }
    })
  }
})

describe('go-spiffe FromURI', () => {
  for (const c of data.spiffe_id_from_url_parts) {
    // The URL-struct cases are rebuilt as strings: an empty URL and an upper-case scheme.
    const input = c.input ?? (c.input_url_struct?.Scheme ? `${c.input_url_struct.Scheme}://${c.input_url_struct.Host ?? ''}` : '')
    it(JSON.stringify(input), () => {
      if (c.valid) expect(parseSpiffeId(input).id).toBe(input)
      else {
        const [td, path] = split(input)
        expect(outcome(() => parseSpiffeId(input))).toBe(expectedCode(c.error!, td, path))
      }
    })
  }
})

describe('go-spiffe TrustDomainFromString (305 cases)', () => {
  it('has the expected table size', () => expect(data.trust_domain_from_string).toHaveLength(305))
  for (const c of data.trust_domain_from_string) {
    it(`${c.origin ?? ''} ${JSON.stringify(c.input)}`, () => {
      if (c.valid) {
        const td = parseTrustDomain(c.input)
        expect(td.name).toBe(c.trust_domain)
        expect(td.idString()).toBe(`spiffe://${c.trust_domain}`)
        expect(Object.isFrozen(td)).toBe(true)
      } else {
        const [td, path] = c.input.includes(':/') ? split(c.input) : [c.input, '']
        expect(outcome(() => parseTrustDomain(c.input))).toBe(expectedCode(c.error!, td, path))
      }
    })
  }
})

describe('go-spiffe path segments (FromSegments / JoinPathSegments)', () => {
  for (const c of data.path_from_segments) {
    it(JSON.stringify(c.segments), () => {
      if (c.valid) expect(formatSpiffeId('trustdomain', ...c.segments)).toBe(`spiffe://trustdomain${c.path}`)
      else expect(outcome(() => formatSpiffeId('trustdomain', ...c.segments))).toBe(expectedCode(c.error!, 'trustdomain', c.segments.join('')))
    })
  }
})

describe('go-spiffe ReplacePath', () => {
  for (const c of data.replace_path) {
    it(`${JSON.stringify(c.start)} → ${JSON.stringify(c.replace)}`, () => {
      const start = parseSpiffeId(`spiffe://trustdomain${c.start}`)
      if (c.valid) {
        const id = replacePath(start, c.replace)
        expect(id.path).toBe(c.path)
        expect(id.id).toBe(`spiffe://trustdomain${c.path}`)
      } else {
        expect(outcome(() => replacePath(start, c.replace))).toBe(expectedCode(c.error!, 'trustdomain', c.replace))
      }
    })
  }
})
