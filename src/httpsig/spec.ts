// The specifications this module implements, pinned in one constant.

/**
 * The documents `agentauth/httpsig` implements: RFC 9421 (HTTP Message Signatures) as published,
 * RFC 9530 (Digest Fields) for `Content-Digest` / `Want-Content-Digest`, and RFC 8941 / RFC 9651
 * Structured Fields for the field syntax.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/httpsig'
 * console.log(`${SPEC.document} (${SPEC.revision})`) // RFC 9421 (published, February 2024)
 * ```
 */
export const SPEC: {
  readonly document: string
  readonly revision: string
  readonly url: string
  readonly related: Readonly<Record<string, string>>
} = Object.freeze({
  document: 'RFC 9421',
  revision: 'published, February 2024',
  url: 'https://www.rfc-editor.org/rfc/rfc9421',
  related: Object.freeze({
    'RFC 9530': 'Digest Fields (February 2024): Content-Digest, Want-Content-Digest',
    'RFC 8941': 'Structured Field Values for HTTP (February 2021)',
    'RFC 9651': 'Structured Field Values for HTTP (September 2024): Dates and Display Strings in sf/key components',
  }),
})
