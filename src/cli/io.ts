// Small I/O helpers for the CLI: read a value given inline, from a file (@path) or stdin (-).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'

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
    // O_NONBLOCK: opening a FIFO (or a symlink to one) for reading blocks until a writer opens it,
    // for ever when none does; non-blocking, the open returns and a FIFO without a writer reads as
    // empty. (Regular files ignore the flag; readBounded waits out EAGAIN on pipes and terminals.)
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (err) {
    throw new CLIError(`cannot read ${what} from ${path}: ${(err as Error).message}`)
  }
  try {
    const text = readBounded(fd, path, what)
    if (text === '' && isFIFO(fd)) throw new CLIError(`${what} from ${path} is empty (a FIFO nobody writes to?)`)
    return text
  } finally {
    closeSync(fd)
  }
}

function isFIFO(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO()
  } catch {
    return false
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4))

// Reads at most MAX_INPUT_BYTES (refusing more) so `@/dev/zero` or a huge log cannot exhaust memory.
function readBounded(fd: number, from: string, what: string): string {
  const buf = Buffer.alloc(MAX_INPUT_BYTES + 1)
  let n = 0
  try {
    for (;;) {
      let r: number
      try {
        r = readSync(fd, buf, n, buf.length - n, null)
      } catch (err) {
        // A pipe or terminal opened (or inherited) non-blocking with nothing to read yet.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
        Atomics.wait(pause, 0, 0, 10)
        continue
      }
      if (r === 0) break
      n += r
      if (n > MAX_INPUT_BYTES) throw new CLIError(`${what} from ${from} is larger than ${MAX_INPUT_BYTES} bytes`)
    }
  } catch (err) {
    if (err instanceof CLIError) throw err
    throw new CLIError(`cannot read ${what} from ${from}: ${(err as Error).message}`)
  }
  // Strict UTF-8: a lenient decode turns invalid bytes into U+FFFD, so the tool would show (or
  // match a kid against) text the file does not hold.
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf.subarray(0, n))
  } catch {
    throw new CLIError(`${what} from ${from} is not UTF-8 text`)
  }
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
