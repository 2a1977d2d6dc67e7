// Small I/O helpers for the CLI: read a value given inline, from a file (@path) or stdin (-).
import { closeSync, openSync, readSync } from 'node:fs'

/**
 * A usage error of the CLI (unknown command, missing or bad option value, unreadable or oversized
 * input): a coded `TypeError`, `ERR_INVALID_ARG_VALUE`, like every bad argument in agentauth, so
 * code embedding `main` can tell it apart without reading the message.
 */
export class CLIError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_VALUE' as const
  override readonly name = 'CLIError'
}

/** Largest input the CLI reads (a token, a Signature-Input value, a JWKS): far above any real one. */
export const MAX_INPUT_BYTES: number = 1024 * 1024

export function readInput(value: string | undefined, what: string): string {
  if (value === undefined) throw new CLIError(`missing ${what}`)
  if (value === '-') return readBounded(0, 'stdin', what).trim()
  if (value.startsWith('@')) return readFile(value.slice(1), what).trim()
  return value.trim()
}

export function readFile(path: string, what: string): string {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    throw new CLIError(`cannot read ${what} from ${path}: ${(err as Error).message}`)
  }
  try {
    return readBounded(fd, path, what)
  } finally {
    closeSync(fd)
  }
}

// Reads at most MAX_INPUT_BYTES (refusing more) so `@/dev/zero` or a huge log cannot exhaust memory.
function readBounded(fd: number, from: string, what: string): string {
  const buf = Buffer.alloc(MAX_INPUT_BYTES + 1)
  let n = 0
  try {
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null)
      if (r === 0) break
      n += r
      if (n > MAX_INPUT_BYTES) throw new CLIError(`${what} from ${from} is larger than ${MAX_INPUT_BYTES} bytes`)
    }
  } catch (err) {
    if (err instanceof CLIError) throw err
    throw new CLIError(`cannot read ${what} from ${from}: ${(err as Error).message}`)
  }
  return buf.toString('utf8', 0, n)
}

export function readJSON(path: string, what: string): unknown {
  const text = readFile(path, what)
  try {
    return JSON.parse(text)
  } catch {
    throw new CLIError(`${what} in ${path} is not valid JSON`)
  }
}

// A time claim as shown: a number with its date (or "out of range" past what Date can hold: a
// token's exp of 1e13 must not make the view fail). Callers show non-numbers as JSON (quoted), so
// a string "1700000000 (2023-…)" can never pass for a real NumericDate.
export function time(epoch: unknown): string {
  if (typeof epoch !== 'number' || !Number.isFinite(epoch)) return String(epoch)
  const date = new Date(epoch * 1000)
  return Number.isNaN(date.getTime()) ? `${epoch} (out of range)` : `${epoch} (${date.toISOString()})`
}
