// The strict RFC 8941 / RFC 9651 parser behind every field this module reads.
import { Token } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import {
  decodeBase64Strict,
  parseDictionaryStrict,
  parseItemStrict,
  parseListStrict,
  serialiseBareText,
  serialiseDictionaryText,
  serialiseListText,
} from '../../../src/httpsig/structured-fields.js'

const opts = { code: 'ERR_HTTPSIG_INVALID' as const, what: 'test' }
const item = (s: string, rfc9651 = false) => parseItemStrict(s, { ...opts, rfc9651 })
const bad = (fn: () => unknown) => expect(fn).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_INVALID' }))

describe('items', () => {
  it.each([
    ['42', 42, '42'],
    ['-0', 0, '0'],
    ['007', 7, '7'],
    ['999999999999999', 999999999999999, '999999999999999'],
    ['1.50', 1.5, '1.5'],
    ['1.0', 1, '1.0'],
    ['-0.0', 0, '0.0'],
    ['"a\\"b\\\\c"', 'a"b\\c', '"a\\"b\\\\c"'],
    ['tok/en:1', new Token('tok/en:1'), 'tok/en:1'],
    ['*x', new Token('*x'), '*x'],
    [':AQID:', new Uint8Array([1, 2, 3]), ':AQID:'],
    ['::', new Uint8Array(0), '::'],
    ['?1', true, '?1'],
    ['?0', false, '?0'],
    ['  a;x=?1;y  ', new Token('a'), 'a;x;y'],
    ['a; x=1', new Token('a'), 'a;x=1'],
  ])('%s', (input, value, text) => {
    const i = item(input)
    expect(i.value).toEqual(value)
    expect(i.text).toBe(text)
  })

  it.each([
    '1234567890123456', '1234567890123.1', '1.1234', '1.', '-', '"unterminated', '"bad \\n escape"', '"\u00e9"', '"tab\there"',
    ':AQI:', ':AQ=:', ':AR==:', ':AQ==', ':A===:', '?2', '?', 'a;X=1', 'a;x=1;x=2', 'a b', '', '@1', '%"x"', '(a', 'a,',
  ])('refuses %j', (input) => bad(() => item(input)))

  it('accepts RFC 9651 Dates and Display Strings only when asked', () => {
    expect(item('@1659578233', true).text).toBe('@1659578233')
    expect(item('%"f%c3%bc%c3%bc"', true).value).toEqual({ display: 'füü' })
    expect(item('%"f%c3%bc%c3%bc"', true).text).toBe('%"f%c3%bc%c3%bc"')
    bad(() => item('%"%C3%BC"', true))
    bad(() => item('%"%ff"', true))
    bad(() => item('@1.5', true))
  })
})

describe('lists and dictionaries', () => {
  it('normalise whitespace and boolean-true members', () => {
    expect(serialiseListText(parseListStrict('a,  (b  c);x ,\t"d"', opts))).toBe('a, (b c);x, "d"')
    expect(serialiseDictionaryText(parseDictionaryStrict(' a=?1, b=?0, c;p=1, d=( 1 2 )', opts))).toBe('a, b=?0, c;p=1, d=(1 2)')
  })

  it('refuses duplicates when asked (default) and lets the last one win otherwise (RFC 8941)', () => {
    bad(() => parseDictionaryStrict('a=1, a=2', opts))
    expect(serialiseDictionaryText(parseDictionaryStrict('a=1, b=2, a=3', { ...opts, rejectDuplicates: false }))).toBe('a=3, b=2')
    expect(parseItemStrict('x;a=1;a=2', { ...opts, rejectDuplicates: false }).text).toBe('x;a=2')
  })

  it.each(['a=1,', 'a=1,,b=2', 'A=1', '1=1', 'a=1 b=2', 'a=(1,2)', 'a=(1  2', ', a=1'])('refuses %j', (input) => bad(() => parseDictionaryStrict(input, opts)))

  it('limits the number of members', () => {
    expect(() => parseDictionaryStrict('a, b, c', { ...opts, maxMembers: 2 })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
    expect(() => parseListStrict('a, b, c', { ...opts, maxMembers: 2 })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
  })
})

describe('base64 and bare serialisation', () => {
  it('decodes only canonical padded base64', () => {
    expect(decodeBase64Strict('')).toEqual(new Uint8Array(0))
    expect(decodeBase64Strict('YQ==')).toEqual(new Uint8Array([97]))
    expect(decodeBase64Strict('YWI=')).toEqual(new Uint8Array([97, 98]))
    for (const b of ['YQ', 'YQ=', 'YR==', 'YWJ=', 'Y===', 'YQ==YQ==', 'YQ-_', 'YQ =']) expect(decodeBase64Strict(b)).toBeUndefined()
  })
  it('serialises every bare type', () => {
    expect([1, 1.25, 'q"', true, false, new Uint8Array([255]), new Token('t'), new Date(1000), { display: 'é' }].map(serialiseBareText))
      .toEqual(['1', '1.25', '"q\\""', '?1', '?0', ':/w==:', 't', '@1', '%"%c3%a9"'])
  })
})

describe('structured fields: reuse of repeated inner-list items', () => {
  const strict = { code: 'ERR_HTTPSIG_INVALID' as const, what: 'Signature-Input' }
  it('reuses the frozen items of a repeated inner list and parses the parameters every time', () => {
    const a = parseDictionaryStrict('sig=("@method" "content-digest";sf);created=1;nonce="a"', strict)
    const b = parseDictionaryStrict('sig=("@method" "content-digest";sf);created=2;nonce="b"', strict)
    const [ma, mb] = [a[0]![1], b[0]![1]]
    if (ma.type !== 'inner-list' || mb.type !== 'inner-list') throw new Error('inner lists expected')
    expect(mb.items).toBe(ma.items)
    expect(Object.isFrozen(mb.items[1])).toBe(true)
    expect(mb.params.map((p) => p[1])).toEqual([2, 'b'])
    expect(mb.text).toBe('("@method" "content-digest";sf);created=2;nonce="b"')
    // a list that only starts like a remembered one is parsed on its own
    const c = parseDictionaryStrict('sig=("@method" "content-digestx");created=3', strict)
    expect(c[0]![1].type === 'inner-list' && c[0]![1].items.map((i) => i.value)).toEqual(['@method', 'content-digestx'])
  })

  it('keeps the parse modes apart: duplicate item parameters accepted leniently stay refused strictly', () => {
    const lenient = { ...strict, rejectDuplicates: false }
    const input = 'sig=("a";x=1;x=2)'
    expect(parseDictionaryStrict(input, lenient)[0]![1]).toMatchObject({ items: [{ params: [['x', 2, '2']] }] })
    expect(() => parseDictionaryStrict(input, strict)).toThrow(/appears twice/)
    expect(() => parseDictionaryStrict(input, strict)).toThrow(/appears twice/)
  })
})

describe('structured fields: many members and parameters (linear-time duplicate checks)', () => {
  it('finds duplicate dictionary keys and parameters past the linear-scan threshold', () => {
    const members = Array.from({ length: 50 }, (_, i) => `k${i}=${i}`)
    expect(parseDictionaryStrict(members.join(', '), opts)).toHaveLength(50)
    bad(() => parseDictionaryStrict([...members, 'k37=1'].join(', '), opts))
    // Duplicates allowed (covered fields): the last value wins in place, as in RFC 8941 §4.2.2.
    const lenient = parseDictionaryStrict([...members, 'k37=x'].join(', '), { ...opts, rejectDuplicates: false })
    expect(lenient).toHaveLength(50)
    expect(serialiseDictionaryText(lenient)).toBe(members.map((m) => (m === 'k37=37' ? 'k37=x' : m)).join(', '))
    const params = Array.from({ length: 20 }, (_, i) => `;p${i}=${i}`).join('')
    bad(() => parseItemStrict(`a${params};p13=0`, opts))
    expect(parseItemStrict(`a${params};p13=x;p2`, { ...opts, rejectDuplicates: false }).text).toBe(`a${params.replace(';p13=13', ';p13=x').replace(';p2=2', ';p2')}`)
  })
})
