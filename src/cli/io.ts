// Small I/O helpers for the CLI: read a value given inline, from a file (@path) or stdin (-).
import { readFileSync } from 'node:fs'

export class CLIError extends Error {}

export function readInput(value: string | undefined, what: string): string {
  if (value === undefined) throw new CLIError(`missing ${what}`)
  if (value === '-') return readFileSync(0, 'utf8').trim()
  if (value.startsWith('@')) return readFile(value.slice(1), what).trim()
  return value.trim()
}

export function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new CLIError(`cannot read ${what} from ${path}: ${(err as Error).message}`)
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

export function time(epoch: unknown): string {
  return typeof epoch === 'number' && Number.isFinite(epoch) ? `${epoch} (${new Date(epoch * 1000).toISOString()})` : String(epoch)
}
