// Output hygiene for the CLI. Tokens, Signature-Input values and the errors they cause carry
// attacker-chosen text; printed raw, control characters in them could move the cursor, retitle
// the terminal or forge lines of the view ("status: SIGNATURE VERIFIED" under an UNVERIFIED
// token). Every line the CLI prints goes through `printable` after it is built, so a value can
// never add a line or an escape sequence.
import { isAgentAuthError } from '../errors/index.js'
import { CLIError } from './io.js'

// C0 controls, DEL and C1 controls, the Unicode line and paragraph separators, and the bidi
// marks (ALM U+061C, LRM, RLM) and embedding / override / isolate controls that can reorder what a
// terminal shows; lone surrogates.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** One line with every unprintable character written as `\u{…}`. */
export function printable(line: string): string {
  return line.replace(UNPRINTABLE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)
}

/** Lines joined by newlines, each made printable (no element can add a line). */
export function printLines(lines: readonly string[]): string {
  return lines.map(printable).join('\n')
}

/** The one line the bin prints for an error (without the `agentauth:` prefix). */
export function describeError(err: unknown): string {
  let text: string
  if (err instanceof CLIError) text = err.message
  else if (isAgentAuthError(err)) text = `${err.code}: ${err.message}`
  else if (err instanceof TypeError && typeof (err as { code?: unknown }).code === 'string') text = `${(err as unknown as { code: string }).code}: ${err.message}`
  else text = err instanceof Error ? err.message : String(err)
  return printable(text)
}
