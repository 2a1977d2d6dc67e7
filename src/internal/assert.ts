// Option validation: every trust-deciding option is checked so NaN, Infinity, empty strings or a
// wrong type can never silently disable a check. Errors are coded TypeErrors (programmer errors).
import { codedTypeError } from '../errors/index.js'

export function assertString(value: unknown, name: string, { allowEmpty = false }: { allowEmpty?: boolean } = {}): asserts value is string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (!allowEmpty && value.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not be empty`)
}

export function assertOptionalString(value: unknown, name: string): asserts value is string | undefined {
  if (value !== undefined) assertString(value, name)
}

/** A finite number ≥ min (and ≤ max); integers only when `integer` is set. */
export function assertNumber(
  value: unknown,
  name: string,
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = false }: { min?: number; max?: number; integer?: boolean } = {},
): asserts value is number {
  if (typeof value !== 'number') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a number`)
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a finite ${integer ? 'integer' : 'number'} in [${min}, ${max}]`)
  }
}

export function optionalNumber(
  value: unknown,
  name: string,
  fallback: number,
  range?: { min?: number; max?: number; integer?: boolean },
): number {
  if (value === undefined) return fallback
  assertNumber(value, name, range)
  return value
}

export function assertFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a function`)
}

export function assertObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an object`)
}

export function assertStringArray(value: unknown, name: string, { allowEmpty = false }: { allowEmpty?: boolean } = {}): asserts value is readonly string[] {
  if (!Array.isArray(value)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an array of strings`)
  if (!allowEmpty && value.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not be empty`)
  for (const v of value) assertString(v, `${name}[]`)
}

/** Cross-realm-safe instanceof by constructor name and tag (Request/Response/Headers from other realms). */
export function looseInstanceOf<T>(value: unknown, ctor: { new (...args: never[]): T; name: string }): value is T {
  if (value instanceof ctor) return true
  if (typeof value !== 'object' || value === null) return false
  return (value as object)[Symbol.toStringTag as keyof object] === ctor.name || (value as { constructor?: { name?: string } }).constructor?.name === ctor.name
}
