/**
 * The `agentauth` command-line tool: `keygen`, `wit mint`, `inspect`, `verify`. Every command has
 * `--help`; errors are printed as one line on stderr with a non-zero exit status.
 *
 * @example
 * ```sh
 * agentauth keygen --alg ES256 --out issuer.json
 * agentauth inspect "$(cat wit.txt)"
 * ```
 *
 * Node-only. Reachable from `agentauth/cli`; the `agentauth` bin (cli/bin.js) runs {@link main}
 * on its arguments. Importing this module runs nothing.
 *
 * @module cli
 */
import { parseArgs } from 'node:util'
import { inspectCommand, keygen, verify, witMint, type Flags } from './commands.js'
import { codedTypeError } from '../errors/index.js'
import { CLIError } from './io.js'

const HELP: Record<string, string> = {
  main: `agentauth — workload identity for AI agents

usage: agentauth <command> [options]

commands:
  keygen       generate a signing key pair (JWK)
  wit mint     mint a Workload Identity Token with an issuer key
  inspect      decode a WIT, WPT, access token, Txn-Token, SET, ID-JAG or Signature-Input (UNVERIFIED unless --keys)
  verify       verify a WIT, access token or SET

Run "agentauth <command> --help" for the options of a command.`,
  keygen: `usage: agentauth keygen [--alg ES256] [--kid <kid>] [--out <file.json> [--force]]

Generates a key pair. Without --out, prints { private, public } JWKs as JSON.
With --out, writes the private JWK to <file.json> (mode 0600) and the public JWK to <file>.pub.json;
refuses when either file exists, unless --force is given.
--alg: ES256 (default), ES384, ES512, EdDSA, PS256, PS384, PS512, RS256, RS384, RS512.`,
  wit: `usage: agentauth wit mint --issuer-key <issuer.json> --key <workload.pub.json> --sub <identifier> [--iss <uri>] [--kid <kid>] [--lifetime 3600]

Mints a Workload Identity Token (typ wit+jwt) binding the workload's public key (cnf.jwk) to the
identifier, signed with the issuer's private JWK. Prints the compact token.`,
  inspect: `usage: agentauth inspect <token | @file | -> [--keys <jwks.json>]

Decodes a WIT, WPT, JWT access token, Txn-Token, SET, ID-JAG, any JWT, or a Signature-Input field
value into a readable view; an act claim is shown as a delegation tree. The view is marked
UNVERIFIED unless --keys is given, in which case the signature (only) is checked.`,
  verify: `usage: agentauth verify <token | @file | -> [--kind wit|at|set] [options]

  wit:  --bundle <file> (a JWKS with --trust-domain, required then; or { "<trust domain>": JWKS }) [--profile spiffe]
  at:   --issuer <iss> --audience <aud> --keys <jwks.json>      (RFC 9068 access token)
  set:  --issuer <iss> --audience <aud> --keys <jwks.json>      (Security Event Token, SSF profile)
  --at <epoch seconds> verifies as of that instant.
The kind is taken from the token's typ when --kind is not given. Exit status 0 when valid, 1 otherwise.`,
}

// The options each command takes; any other is refused (parseArgs strict mode). Boolean flags are
// listed in FLAGS.
const OPTIONS: Record<string, readonly string[]> = {
  keygen: ['alg', 'kid', 'out'],
  wit: ['issuer-key', 'key', 'sub', 'iss', 'kid', 'lifetime'],
  inspect: ['keys'],
  verify: ['kind', 'bundle', 'trust-domain', 'profile', 'issuer', 'audience', 'keys', 'at'],
}
const FLAGS: Record<string, readonly string[]> = { keygen: ['force'] }

/**
 * Runs one CLI command in-process (what the `agentauth` bin does with `process.argv.slice(2)`),
 * without writing to stdout/stderr or exiting, so it can be embedded or tested.
 *
 * @param argv - the arguments after the program name, e.g. `['keygen', '--alg', 'ES256']`.
 * @returns the exit status (`0` success or help, `2` when no command was given and the usage is
 *   shown) and the text to print.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `argv` is not an array of strings;
 *   `ERR_INVALID_ARG_VALUE` (the CLI's usage errors) for an unknown command, a
 *   missing or bad option value, an existing `keygen --out` target, or unreadable or oversized
 *   input; `ERR_PARSE_ARGS_UNKNOWN_OPTION`, `ERR_PARSE_ARGS_INVALID_OPTION_VALUE`,
 *   `ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL` (node:util `parseArgs`) for an option a command does not
 *   take, a missing value or a stray argument (a second token given to `inspect`/`verify` is
 *   `ERR_INVALID_ARG_VALUE`); `VerificationError` (e.g. `ERR_WIT_SIGNATURE`,
 *   `ERR_TOKEN_EXPIRED`) when `verify` rejects a token; coded `TypeError` (`ERR_INVALID_ARG_TYPE` /
 *   `ERR_INVALID_ARG_VALUE`) for bad option values found by the library. The bin prints these as
 *   one line and exits with status 1.
 *
 * @example
 * ```ts
 * import { main } from 'agentauth/cli'
 *
 * const { code, out } = await main(['keygen', '--alg', 'ES256'])
 * if (code === 0) console.log(JSON.parse(out))
 * ```
 */
export async function main(argv: readonly string[]): Promise<{ code: number; out: string }> {
  // Embedders pass this: anything but a list of strings was an uncoded TypeError ("argv is not
  // iterable", "value.startsWith is not a function").
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'argv must be an array of strings')
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { code: command === undefined ? 2 : 0, out: HELP.main! }
  let sub: string | undefined
  let args = rest
  if (command === 'wit') {
    sub = rest[0]
    args = rest.slice(1)
    if (sub === '--help' || sub === '-h' || sub === undefined) return { code: sub === undefined ? 2 : 0, out: HELP.wit! }
    if (sub !== 'mint') throw new CLIError(`unknown command "wit ${sub}" (try: wit mint)`)
  }
  if (!Object.hasOwn(HELP, command) || command === 'main') throw new CLIError(`unknown command "${command}" (run agentauth --help)`)
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: command === 'inspect' || command === 'verify',
    strict: true,
    options: Object.fromEntries(
      OPTIONS[command]!
        .map((n): [string, { type: 'string' | 'boolean'; short?: string }] => [n, { type: 'string' }])
        .concat((FLAGS[command] ?? []).map((n) => [n, { type: 'boolean' }]), [['help', { type: 'boolean', short: 'h' }]]),
    ),
  })
  const flags = values as Flags
  if (flags.help === true) return { code: 0, out: HELP[command]! }
  // One token per run: a second one (or an unquoted Signature-Input value split by the shell) was
  // ignored, so `verify @a.txt @b.txt` printed VALID for a.txt alone.
  if (positionals.length > 1) throw new CLIError(`${command} takes one token (argument, @file or -); got ${positionals.length} arguments (quote a value with spaces)`)
  switch (command) {
    case 'keygen':
      return { code: 0, out: await keygen(flags) }
    case 'wit':
      return { code: 0, out: await witMint(flags) }
    case 'inspect':
      return { code: 0, out: await inspectCommand(flags, positionals) }
    case 'verify':
      return { code: 0, out: await verify(flags, positionals) }
    default:
      throw new CLIError(`unknown command "${command}"`)
  }
}
