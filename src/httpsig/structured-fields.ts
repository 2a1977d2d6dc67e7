// A strict RFC 8941 / RFC 9651 parser for untrusted field values (Signature-Input, Signature,
// Content-Digest, Want-Content-Digest, and `sf` / `key` covered components).
//
// Why not structured-headers' parser here: it decodes Byte Sequences with `atob` (missing or odd
// padding and non-zero trailing bits pass), silently lets a duplicated dictionary key overwrite the
// first one, and parses `1.0` and `1` to the same number, so its output cannot be re-serialised
// exactly. This parser keeps, for every Item and Inner List, its strict serialisation (`text`),
// which is what RFC 9421 §2.1.1/§2.1.2/§2.3 sign. structured-headers is still used to serialise
// values we create (sign.ts) and as a differential oracle in the property tests.
import { Token } from 'structured-headers'
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'
import { decodeBase64Forgiving, decodeBase64Strict, encodeBase64 } from './sf-base64.js'

export { decodeBase64Strict, encodeBase64 }

/** Entries searched linearly for a duplicate key; above this many, a Map index is built. */
const LINEAR_LOOKUP = 8

function indexOfKey(entries: ReadonlyArray<readonly [string, ...unknown[]]>, k: string): number {
  for (let j = 0; j < entries.length; j++) if (entries[j]![0] === k) return j
  return -1
}

/** A bare item value. Tokens are `Token` from structured-headers; Dates are `Date`. */
export type BareItem = string | number | boolean | Uint8Array | Token | Date | DisplayText

/** An RFC 9651 Display String (kept apart from ordinary strings so it re-serialises as one). */
export interface DisplayText {
  readonly display: string
}

/**
 * Ordered parameters `[key, value, text]`; `text` is the strict serialisation of the value (empty
 * for a bare `true`), which keeps Integer and Decimal apart (`1` vs `1.0`).
 */
export type Params = ReadonlyArray<readonly [string, BareItem, string]>

export interface SFItem {
  readonly type: 'item'
  readonly value: BareItem
  readonly params: Params
  /** Strict serialisation (RFC 8941 §4.1.3) including parameters. */
  readonly text: string
}

export interface SFInnerList {
  readonly type: 'inner-list'
  readonly items: readonly SFItem[]
  readonly params: Params
  /** Strict serialisation (RFC 8941 §4.1.1.1) including parameters. */
  readonly text: string
}

export type SFMember = SFItem | SFInnerList

export interface ParseOptions {
  /** Error code thrown on malformed input. */
  readonly code: VerificationErrorCode
  /** Name used in error messages (e.g. "Signature-Input"). */
  readonly what: string
  /** Accept RFC 9651 Dates and Display Strings (generic fields); RFC 8941 only when false. */
  readonly rfc9651?: boolean
  /** Maximum number of dictionary / list members. */
  readonly maxMembers?: number
  /** Refuse a dictionary key or parameter key that appears twice (RFC 8941 would overwrite). */
  readonly rejectDuplicates?: boolean
  /**
   * Accept Byte Sequences without `=` padding or with non-zero pad bits, as RFC 8941 §4.2.7 says
   * parsers SHOULD (their text is then the canonical form). For covered third-party fields; the
   * fields this library reads itself (Signature, Signature-Input, Content-Digest) stay strict.
   */
  readonly lenientBase64?: boolean
}

const DIGIT_0 = 48
const DIGIT_9 = 57

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9
}
function isLcAlpha(c: number): boolean {
  return c >= 97 && c <= 122
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}
// tchar (RFC 9110 §5.6.2) plus ":" and "/" for sf-token.
const TOKEN_CHARS = new Uint8Array(128)
for (const ch of "!#$%&'*+-.^_`|~:/") TOKEN_CHARS[ch.charCodeAt(0)] = 1
for (let c = 0; c < 128; c++) if (isAlpha(c) || isDigit(c)) TOKEN_CHARS[c] = 1

class Parser {
  readonly s: string
  i = 0
  readonly opts: ParseOptions
  constructor(input: string, opts: ParseOptions) {
    this.s = input
    this.opts = opts
  }

  fail(reason: string): never {
    throw new VerificationError(this.opts.code, `${this.opts.what} is not a valid structured field: ${reason}`)
  }

  skipSP(): void {
    while (this.s.charCodeAt(this.i) === 32) this.i++
  }
  skipOWS(): void {
    let c = this.s.charCodeAt(this.i)
    while (c === 32 || c === 9) c = this.s.charCodeAt(++this.i)
  }
  eof(): boolean {
    return this.i >= this.s.length
  }

  key(): string {
    const start = this.i
    const c = this.s.charCodeAt(this.i)
    if (!(isLcAlpha(c) || c === 42)) this.fail('a key must start with a lower-case letter or "*"')
    this.i++
    for (;;) {
      const d = this.s.charCodeAt(this.i)
      if (isLcAlpha(d) || isDigit(d) || d === 95 || d === 45 || d === 46 || d === 42) this.i++
      else break
    }
    return this.s.slice(start, this.i)
  }

  params(): { params: Params; text: string } {
    const params: Array<readonly [string, BareItem, string]> = []
    let text = ''
    // Duplicate lookups scan while the list is short (the usual case) and use an index beyond
    // that: hostile fields with thousands of parameters must parse in linear time.
    let index: Map<string, number> | undefined
    let rewritten = false
    while (this.s.charCodeAt(this.i) === 59 /* ; */) {
      this.i++
      this.skipSP()
      const k = this.key()
      let value: BareItem = true
      let valueText = ''
      if (this.s.charCodeAt(this.i) === 61 /* = */) {
        this.i++
        const bare = this.bareItem()
        value = bare.value
        if (value !== true) valueText = bare.text
      }
      const existing = index !== undefined ? index.get(k) ?? -1 : indexOfKey(params, k)
      if (existing !== -1) {
        if (this.opts.rejectDuplicates !== false) this.fail(`parameter "${k}" appears twice`)
        params[existing] = [k, value, valueText]
        rewritten = true // the text is rebuilt once, at the end
        continue
      }
      params.push([k, value, valueText])
      if (index !== undefined) index.set(k, params.length - 1)
      else if (params.length > LINEAR_LOOKUP) index = new Map(params.map((p, j) => [p[0], j]))
      text += ';' + k + (valueText === '' ? '' : '=' + valueText)
    }
    return { params, text: rewritten ? serialiseParamsText(params) : text }
  }

  bareItem(): { value: BareItem; text: string } {
    const c = this.s.charCodeAt(this.i)
    if (c === 45 || isDigit(c)) return this.number()
    if (c === 34) return this.string()
    if (isAlpha(c) || c === 42) return this.token()
    if (c === 58) return this.bytes()
    if (c === 63) return this.boolean()
    if (this.opts.rfc9651 === true) {
      if (c === 64) return this.date()
      if (c === 37) return this.displayString()
    }
    return this.fail('unexpected character where a value was expected')
  }

  number(): { value: number; text: string } {
    const start = this.i
    let neg = false
    if (this.s.charCodeAt(this.i) === 45) {
      neg = true
      this.i++
    }
    const intStart = this.i
    while (isDigit(this.s.charCodeAt(this.i))) this.i++
    const intDigits = this.i - intStart
    if (intDigits === 0) this.fail('expected a digit')
    if (this.s.charCodeAt(this.i) !== 46 /* . */) {
      if (intDigits > 15) this.fail('integer has more than 15 digits')
      const digits = this.s.slice(intStart, this.i)
      const n = Number(digits)
      const value = neg && n !== 0 ? -n : n
      // Without a leading zero the input digits are the strict serialisation already.
      const canonical = intDigits === 1 || digits.charCodeAt(0) !== DIGIT_0
      return { value, text: canonical ? (neg && n !== 0 ? this.s.slice(start, this.i) : digits) : String(value) }
    }
    if (intDigits > 12) this.fail('decimal has more than 12 integer digits')
    this.i++
    const fracStart = this.i
    while (isDigit(this.s.charCodeAt(this.i))) this.i++
    const fracDigits = this.i - fracStart
    if (fracDigits === 0 || fracDigits > 3) this.fail('decimal must have 1 to 3 fractional digits')
    const n = Number(this.s.slice(start, this.i))
    const value = n === 0 ? 0 : n
    return { value, text: serialiseDecimal(value) }
  }

  string(): { value: string; text: string } {
    const start = this.i
    this.i++
    let out = ''
    let chunk = this.i
    for (;;) {
      if (this.eof()) this.fail('unterminated string')
      const c = this.s.charCodeAt(this.i)
      if (c === 92 /* \ */) {
        out += this.s.slice(chunk, this.i)
        const n = this.s.charCodeAt(this.i + 1)
        if (n !== 92 && n !== 34) this.fail('bad escape in string')
        out += n === 92 ? '\\' : '"'
        this.i += 2
        chunk = this.i
        continue
      }
      if (c === 34) {
        out += this.s.slice(chunk, this.i)
        this.i++
        // The only escapes are \" and \\, exactly what strict serialisation writes, so the
        // input text is already canonical.
        return { value: out, text: this.s.slice(start, this.i) }
      }
      if (c < 0x20 || c > 0x7e) this.fail('string holds a character outside printable ASCII')
      this.i++
    }
  }

  token(): { value: Token; text: string } {
    const start = this.i
    this.i++
    for (;;) {
      const c = this.s.charCodeAt(this.i)
      if (c < 128 && TOKEN_CHARS[c] === 1) this.i++
      else break
    }
    const t = this.s.slice(start, this.i)
    return { value: new Token(t), text: t }
  }

  bytes(): { value: Uint8Array; text: string } {
    this.i++
    const end = this.s.indexOf(':', this.i)
    if (end === -1) this.fail('unterminated byte sequence')
    const b64 = this.s.slice(this.i, end)
    this.i = end + 1
    const value = decodeBase64Strict(b64)
    if (value !== undefined) return { value, text: ':' + b64 + ':' }
    if (this.opts.lenientBase64 === true) {
      const forgiven = decodeBase64Forgiving(b64)
      if (forgiven !== undefined) {
        FORGIVEN.add(forgiven)
        return { value: forgiven, text: ':' + encodeBase64(forgiven) + ':' }
      }
    }
    return this.fail('byte sequence is not canonical padded base64')
  }

  boolean(): { value: boolean; text: string } {
    const c = this.s.charCodeAt(this.i + 1)
    if (c !== 48 && c !== 49) this.fail('boolean must be ?0 or ?1')
    this.i += 2
    return { value: c === 49, text: c === 49 ? '?1' : '?0' }
  }

  date(): { value: Date; text: string } {
    this.i++
    const n = this.number()
    if (!Number.isInteger(n.value) || n.text.includes('.')) this.fail('date must be an integer')
    return { value: new Date(n.value * 1000), text: '@' + n.text }
  }

  displayString(): { value: DisplayText; text: string } {
    if (this.s.charCodeAt(this.i + 1) !== 34) this.fail('display string must start with %"')
    this.i += 2
    const bytes: number[] = []
    for (;;) {
      if (this.eof()) this.fail('unterminated display string')
      const c = this.s.charCodeAt(this.i)
      if (c <= 0x1f || c >= 0x7f) this.fail('display string holds a character outside printable ASCII')
      if (c === 37 /* % */) {
        const hex = this.s.slice(this.i + 1, this.i + 3)
        if (!/^[0-9a-f]{2}$/.test(hex)) this.fail('display string escape must be two lower-case hex digits')
        bytes.push(parseInt(hex, 16))
        this.i += 3
        continue
      }
      if (c === 34) {
        this.i++
        let text: string
        try {
          text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(new Uint8Array(bytes))
        } catch {
          return this.fail('display string is not valid UTF-8')
        }
        return { value: { display: text }, text: serialiseDisplayString(text) }
      }
      bytes.push(c)
      this.i++
    }
  }

  item(): SFItem {
    const bare = this.bareItem()
    const p = this.params()
    return { type: 'item', value: bare.value, params: p.params, text: bare.text + p.text }
  }

  innerList(): SFInnerList {
    const start = this.i
    // The items of an inner list depend only on their characters: when the input repeats the items
    // of one parsed before (a sender covers the same components on every request), reuse them.
    // Parse modes change what the same characters mean (RFC 9651 types, duplicate parameters):
    // entries are kept per mode, and only for the strict duplicate rule.
    const seen = this.opts.rejectDuplicates === false ? NONE : this.opts.rfc9651 === true ? SEEN_LISTS_9651 : SEEN_LISTS
    for (let k = 0; k < seen.length; k++) {
      const e = seen[k]!
      if (this.s.startsWith(e.raw, start)) {
        this.i = start + e.raw.length
        const p = this.params()
        return { type: 'inner-list', items: e.items, params: p.params, text: e.text + p.text }
      }
    }
    this.i++ // (
    const items: SFItem[] = []
    for (;;) {
      this.skipSP()
      if (this.eof()) this.fail('unterminated inner list')
      if (this.s.charCodeAt(this.i) === 41 /* ) */) {
        this.i++
        let text = '('
        for (let k = 0; k < items.length; k++) text += (k === 0 ? '' : ' ') + items[k]!.text
        text += ')'
        remember(seen, this.s.slice(start, this.i), items, text)
        const p = this.params()
        return { type: 'inner-list', items, params: p.params, text: text + p.text }
      }
      items.push(this.item())
      const c = this.s.charCodeAt(this.i)
      if (c !== 32 && c !== 41) this.fail('inner list items must be separated by a space')
    }
  }

  member(): SFMember {
    return this.s.charCodeAt(this.i) === 40 ? this.innerList() : this.item()
  }

  dictionary(): Array<readonly [string, SFMember]> {
    const out: Array<readonly [string, SFMember]> = []
    let index: Map<string, number> | undefined // see params()
    this.skipSP()
    while (!this.eof()) {
      const k = this.key()
      let m: SFMember
      if (this.s.charCodeAt(this.i) === 61) {
        this.i++
        m = this.member()
      } else {
        const p = this.params()
        m = { type: 'item', value: true, params: p.params, text: '?1' + p.text }
      }
      const existing = index !== undefined ? index.get(k) ?? -1 : indexOfKey(out, k)
      if (existing !== -1) {
        if (this.opts.rejectDuplicates !== false) this.fail(`dictionary key "${k}" appears twice`)
        out[existing] = [k, m]
      } else {
        out.push([k, m])
        if (index !== undefined) index.set(k, out.length - 1)
        else if (out.length > LINEAR_LOOKUP) index = new Map(out.map((e, j) => [e[0], j]))
        if (this.opts.maxMembers !== undefined && out.length > this.opts.maxMembers) {
          throw new VerificationError('ERR_INPUT_TOO_LARGE', `${this.opts.what} has more than ${this.opts.maxMembers} members`)
        }
      }
      this.skipOWS()
      if (this.eof()) break
      if (this.s.charCodeAt(this.i) !== 44) this.fail('expected "," between members')
      this.i++
      this.skipOWS()
      if (this.eof()) this.fail('trailing comma')
    }
    return out
  }

  list(): SFMember[] {
    const out: SFMember[] = []
    this.skipSP()
    while (!this.eof()) {
      out.push(this.member())
      if (this.opts.maxMembers !== undefined && out.length > this.opts.maxMembers) {
        throw new VerificationError('ERR_INPUT_TOO_LARGE', `${this.opts.what} has more than ${this.opts.maxMembers} members`)
      }
      this.skipOWS()
      if (this.eof()) break
      if (this.s.charCodeAt(this.i) !== 44) this.fail('expected "," between members')
      this.i++
      this.skipOWS()
      if (this.eof()) this.fail('trailing comma')
    }
    return out
  }
}

interface SeenList {
  /** The input characters from "(" to ")". */
  readonly raw: string
  readonly items: readonly SFItem[]
  /** Strict serialisation of the items part, "(" … ")". */
  readonly text: string
}

// Recently parsed inner-list items, per parse mode (RFC 9651 types change what items mean). Only
// lists of string items with primitive parameters are kept (Signature-Input's covered components),
// frozen, so sharing them is safe; few entries, so a lookup stays cheap whatever the input.
const SEEN_LISTS: SeenList[] = []
const SEEN_LISTS_9651: SeenList[] = []
const MAX_SEEN_LISTS = 8

function primitive(v: BareItem): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
}

const NONE: SeenList[] = []

function remember(seen: SeenList[], raw: string, items: SFItem[], text: string): void {
  if (seen === NONE) return
  for (const it of items) {
    if (typeof it.value !== 'string') return
    for (const p of it.params) if (!primitive(p[1])) return
  }
  for (const it of items) {
    for (const p of it.params) Object.freeze(p)
    Object.freeze(it.params)
    Object.freeze(it)
  }
  if (seen.length >= MAX_SEEN_LISTS) seen.shift()
  seen.push(Object.freeze({ raw, items: Object.freeze(items), text }))
}

// Byte Sequences decoded leniently (no padding, non-zero pad bits): a field parsed leniently so
// that other parties' members cannot break it can still hold its own member to the strict rule.
const FORGIVEN = new WeakSet<Uint8Array>()

function forgivenIn(params: Params): boolean {
  for (const p of params) if (p[1] instanceof Uint8Array && FORGIVEN.has(p[1])) return true
  return false
}

/** Whether a member parsed with `lenientBase64` holds a Byte Sequence that strict parsing refuses. */
export function hasForgivenBytes(m: SFMember): boolean {
  if (forgivenIn(m.params)) return true
  if (m.type === 'item') return m.value instanceof Uint8Array && FORGIVEN.has(m.value)
  for (const it of m.items) if ((it.value instanceof Uint8Array && FORGIVEN.has(it.value)) || forgivenIn(it.params)) return true
  return false
}

/** Parses a Dictionary field value strictly. Members keep their order. */
export function parseDictionaryStrict(input: string, opts: ParseOptions): Array<readonly [string, SFMember]> {
  return new Parser(input, opts).dictionary()
}

/** Parses a List field value strictly. */
export function parseListStrict(input: string, opts: ParseOptions): SFMember[] {
  return new Parser(input, opts).list()
}

/** Parses an Item field value strictly (leading and trailing spaces allowed, nothing else). */
export function parseItemStrict(input: string, opts: ParseOptions): SFItem {
  const p = new Parser(input, opts)
  p.skipSP()
  const item = p.item()
  p.skipSP()
  if (!p.eof()) p.fail('unexpected characters after the item')
  return item
}

/** Strict serialisation of a dictionary from parsed members. */
export function serialiseDictionaryText(members: ReadonlyArray<readonly [string, SFMember]>): string {
  let out = ''
  for (const [k, m] of members) {
    if (out !== '') out += ', '
    out += m.type === 'item' && m.value === true ? k + m.text.slice(2) : k + '=' + m.text
  }
  return out
}

/** Strict serialisation of a List from parsed members. */
export function serialiseListText(members: readonly SFMember[]): string {
  return members.map((m) => m.text).join(', ')
}

function serialiseParamsText(params: Params): string {
  let text = ''
  for (const [k, , t] of params) text += ';' + k + (t === '' ? '' : '=' + t)
  return text
}

/** Strict serialisation of a bare item we hold (never throws for values the parser produced). */
export function serialiseBareText(v: BareItem): string {
  if (typeof v === 'string') return serialiseString(v)
  if (typeof v === 'boolean') return v ? '?1' : '?0'
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : serialiseDecimal(v)
  if (v instanceof Uint8Array) return ':' + encodeBase64(v) + ':'
  if (v instanceof Token) return v.toString()
  if (v instanceof Date) return '@' + String(Math.floor(v.getTime() / 1000))
  return serialiseDisplayString(v.display)
}

function serialiseString(v: string): string {
  return '"' + v.replace(/[\\"]/g, (m) => '\\' + m) + '"'
}

function serialiseDecimal(v: number): string {
  let out = v.toFixed(3)
  out = out.replace(/0+$/, '')
  if (out.endsWith('.')) out += '0'
  return out === '-0.0' ? '0.0' : out
}

function serialiseDisplayString(text: string): string {
  let out = '%"'
  for (const b of new TextEncoder().encode(text)) {
    out += b === 0x25 || b === 0x22 || b <= 0x1f || b >= 0x7f ? '%' + b.toString(16).padStart(2, '0') : String.fromCharCode(b)
  }
  return out + '"'
}
