// Helpers for the identifier tests: run a parser and report the outcome as a code.
import { expect } from 'vitest'
import { VerificationError } from '../../src/errors/index.js'

/** 'OK' when `fn` returns, else the code of the VerificationError it threw (anything else fails). */
export function outcome(fn: () => unknown): string {
  try {
    fn()
    return 'OK'
  } catch (err) {
    // Checked by hand (not with expect) because the byte tables call this tens of thousands of times.
    if (!(err instanceof VerificationError) || err.status !== 400) throw new Error(`expected a 400 VerificationError, got ${String(err)}`)
    return err.code
  }
}

/** The code of the coded TypeError `fn` throws (fails when it does not throw one). */
export function typeErrorCode(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError)
    return (err as { code: string }).code
  }
  throw new Error('expected a TypeError')
}

export const LOWER = 'abcdefghijklmnopqrstuvwxyz'
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
export const DIGIT = '0123456789'
/** SPIFFE-ID §2.1 trust-domain charset (used for every scheme). */
export const TRUST_DOMAIN_CHARS = `${LOWER}${DIGIT}._-`
/** SPIFFE-ID §2.2 path-segment charset. */
export const SPIFFE_SEGMENT_CHARS = `${LOWER}${UPPER}${DIGIT}._-`
/** RFC 3986 §2.3 unreserved. */
export const UNRESERVED_CHARS = `${LOWER}${UPPER}${DIGIT}-._~`
/** RFC 3986 §3.3 pchar without pct-encoded. */
export const PCHAR_CHARS = `${UNRESERVED_CHARS}!$&'()*+,;=:@`
/** RFC 3986 §3.1 scheme characters after the first, lower case only. */
export const SCHEME_CHARS = `${LOWER}${DIGIT}+-.`
