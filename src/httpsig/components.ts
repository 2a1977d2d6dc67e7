// Component identifiers (RFC 9421 §2): parsing from user input and from Signature-Input,
// validation of names and parameters, and the equality rule (same name and same parameter set,
// parameter order ignored).
import { serializeItem } from 'structured-headers'
import { codedTypeError, VerificationError } from '../errors/index.js'
import { parseItemStrict, type BareItem, type Params, type SFItem } from './structured-fields.js'
import type { ComponentInput } from './types.js'

/** A validated component identifier. */
export interface Component {
  readonly name: string
  /** Serialised identifier as it appears in the base and in Signature-Input. */
  readonly id: string
  /** Equality key: name plus sorted parameters. */
  readonly eq: string
  readonly sf: boolean
  readonly bs: boolean
  readonly req: boolean
  readonly tr: boolean
  readonly key: string | undefined
  /** `name` parameter of `@query-param`. */
  readonly qname: string | undefined
}

/** Derived component names of RFC 9421 §2.2. */
export const DERIVED_COMPONENTS: ReadonlySet<string> = new Set([
  '@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', '@query-param', '@status',
])

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
const PARAM_KEYS = new Set(['sf', 'key', 'bs', 'req', 'tr', 'name'])

type Fail = (message: string) => never

function build(name: string, params: Params, paramsText: string, fail: Fail): Component {
  const derived = name.charCodeAt(0) === 64
  if (derived) {
    if (name === '@signature-params') fail('"@signature-params" must not be listed as a covered component')
    if (!DERIVED_COMPONENTS.has(name)) fail(`unknown derived component ${name}`)
  } else if (!FIELD_NAME.test(name)) {
    fail(`component name "${name}" is not a lower-case field name`)
  }
  let sf = false, bs = false, req = false, tr = false
  let key: string | undefined
  let qname: string | undefined
  for (const [k, v] of params) {
    if (!PARAM_KEYS.has(k)) fail(`unknown component parameter "${k}" on ${name}`)
    if (k === 'key' || k === 'name') {
      if (typeof v !== 'string') fail(`component parameter "${k}" must be a string`)
      if (k === 'key') key = v as string
      else qname = v as string
    } else {
      if (v !== true) fail(`component parameter "${k}" must be a bare boolean flag`)
      if (k === 'sf') sf = true
      else if (k === 'bs') bs = true
      else if (k === 'req') req = true
      else tr = true
    }
  }
  if (derived) {
    if (sf || bs || tr || key !== undefined) fail(`${name} takes no field parameters`)
    if (name === '@query-param') {
      if (qname === undefined) fail('"@query-param" needs a name parameter')
    } else if (qname !== undefined) {
      fail(`${name} takes no name parameter`)
    }
    if (name === '@status' && req) fail('"@status";req is not allowed (the status belongs to the response)')
  } else {
    if (qname !== undefined) fail('the name parameter applies to "@query-param" only')
    if (bs && (sf || key !== undefined)) fail('"bs" cannot be combined with "sf" or "key"')
  }
  const eq = params.length === 0 ? name : name + '|' + params.map(([k, v]) => k + '=' + (typeof v === 'string' ? JSON.stringify(v) : String(v))).sort().join(';')
  return { name, id: '"' + name + '"' + paramsText, eq, sf, bs, req, tr, key, qname }
}

const WIRE = (message: string): never => {
  throw new VerificationError('ERR_HTTPSIG_COMPONENT_INVALID', message)
}

// Components parsed from Signature-Input, by their strict serialisation (which determines name and
// parameters): a sender covers the same components on every request. Only valid ones are cached.
const fromWire = new Map<string, Component>()

/** A component from a parsed Signature-Input inner-list item (untrusted). */
export function componentFromItem(item: SFItem): Component {
  if (typeof item.value !== 'string') WIRE('a covered component must be an sf-string')
  const hit = fromWire.get(item.text)
  if (hit !== undefined) return hit
  const name = item.value as string
  if (name.length === 0) WIRE('a covered component name is empty')
  const c = Object.freeze(build(name, item.params, item.text.slice(item.text.indexOf('"', 1) + 1), WIRE))
  if (fromWire.size >= 512) fromWire.delete(fromWire.keys().next().value as string)
  fromWire.set(item.text, c)
  return c
}

const ARG = (message: string): never => {
  throw codedTypeError('ERR_INVALID_ARG_VALUE', message)
}

/**
 * A component from caller input (signing, required lists). Field names are lower-cased for the
 * caller; a string starting with `"` is parsed as a serialised identifier.
 */
export function componentFromInput(input: ComponentInput): Component {
  if (typeof input === 'string') {
    if (input.startsWith('"')) {
      let item: SFItem
      try {
        item = parseItemStrict(input, { code: 'ERR_HTTPSIG_COMPONENT_INVALID', what: 'component identifier' })
      } catch (cause) {
        throw codedTypeError('ERR_INVALID_ARG_VALUE', `invalid component identifier ${input}`, cause)
      }
      if (typeof item.value !== 'string') ARG(`invalid component identifier ${input}`)
      return build(item.value as string, item.params, item.text.slice(item.text.indexOf('"', 1) + 1), ARG)
    }
    const name = input.startsWith('@') ? input : input.toLowerCase()
    return build(name, [], '', ARG)
  }
  if (typeof input !== 'object' || input === null || typeof input.name !== 'string' || input.name.length === 0) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'a component must be a string or { name, params }')
  }
  const name = input.name.startsWith('@') ? input.name : input.name.toLowerCase()
  const params: Array<readonly [string, BareItem, string]> = []
  const p = input.params
  if (p !== undefined) {
    if (typeof p !== 'object' || p === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'component params must be an object')
    for (const [k, v] of Object.entries(p)) {
      if (v === undefined || v === false) continue
      params.push([k, v as BareItem, ''])
    }
  }
  let text = ''
  try {
    text = serializeItem(name, new Map(params.map(([k, v]) => [k, v as string | boolean])))
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `component ${name} has an invalid parameter`, cause)
  }
  return build(name, params, text.slice(text.indexOf('"', 1) + 1), ARG)
}

/** Throws ERR_HTTPSIG_COMPONENT_INVALID (or a TypeError for caller input) when two components are equal. */
export function assertUnique(components: readonly Component[], caller: boolean): void {
  const seen = new Set<string>()
  for (const c of components) {
    if (seen.has(c.eq)) (caller ? ARG : WIRE)(`component ${c.id} is listed twice`)
    seen.add(c.eq)
  }
}
