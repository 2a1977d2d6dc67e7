// Option checks that keep the caller's static type (assert.ts's assertObject narrows to a record).
import { codedTypeError } from '../errors/index.js'

export function checkObject(value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an object`)
}

export function checkFunction(value: unknown, name: string): void {
  if (typeof value !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a function`)
}

export function checkOptionalString(value: unknown, name: string): void {
  if (value === undefined) return
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (value.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not be empty`)
}
