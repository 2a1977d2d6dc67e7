// OAuth scope strings (RFC 6749 §3.3): space-delimited, case-sensitive scope-tokens of NQCHAR
// (%x21 / %x23-5B / %x5D-7E). Parsing is strict so "a  b" or a tab can never hide a scope.
import { codedTypeError } from '../errors/index.js'

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value)
}

/** Splits a scope string; returns undefined when it is not a well-formed scope (caller maps the error). */
export function parseScope(value: string): string[] | undefined {
  if (value.length === 0) return []
  const parts = value.split(' ')
  for (const p of parts) if (!SCOPE_TOKEN.test(p)) return undefined
  return [...new Set(parts)]
}

/** Normalises a scope option (string or list) into tokens, throwing a coded TypeError when malformed. */
export function scopeOption(value: string | readonly string[], name: string): string[] {
  const list = typeof value === 'string' ? value.split(' ') : value
  if (!Array.isArray(list) && typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string or an array of strings`)
  const out: string[] = []
  for (const s of list) {
    if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} holds a malformed scope token`)
    if (!out.includes(s)) out.push(s)
  }
  return out
}

/** A string or list option of absolute URIs / names (audience, resource), as a list. */
export function listOption(value: string | readonly string[], name: string, { uri = false }: { uri?: boolean } = {}): string[] {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string or an array of strings`)
  if (list.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not be empty`)
  for (const v of list) {
    if (typeof v !== 'string' || v.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} entries must be non-empty strings`)
    if (uri) {
      let u: URL
      try {
        u = new URL(v)
      } catch (cause) {
        throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} entries must be absolute URIs`, cause)
      }
      if (u.hash !== '') throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} entries must not have a fragment`)
    }
  }
  return [...list]
}

/**
 * A policy callback's scope list: `undefined` or an array of scope tokens. Anything else (a
 * space-delimited string would make every later `includes` a substring test) is a coded TypeError,
 * which the OAuth handlers answer as `server_error`.
 */
export function scopeList(value: unknown, name: string): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && isScopeToken(s))) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an array of scope tokens or undefined`)
  }
  return value as readonly string[]
}
