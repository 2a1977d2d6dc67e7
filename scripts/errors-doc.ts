// Renders docs/errors.md from src/errors/codes.ts. `npx tsx scripts/errors-doc.ts --write` updates
// the file; test/unit/errors/errors-doc.test.ts fails when they drift.
import { writeFileSync } from 'node:fs'
import { ERROR_CODES } from '../src/errors/codes.js'

const CLASS: Record<string, string> = {
  argument: '`TypeError`',
  verification: '`VerificationError`',
  protocol: '`ProtocolError`',
  store: '`StoreError`',
  signer: '`SignerError`',
}

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, info]) => `| \`${code}\` | ${CLASS[info.category]} | ${info.status} | ${info.description} |`,
  )
  return [
    '# Error codes',
    '',
    'Every error agentauth throws on purpose carries a stable `code`. Switch on the code, never on the',
    'message. The class says who must act: `VerificationError` (untrusted input was refused; `status`',
    'and `reason` are safe to send), `ProtocolError` (a remote party misbehaved or refused),',
    '`StoreError` (a store is down: fail closed, 503), `SignerError` (a signer or broker refused or',
    'failed). Programmer errors are `TypeError`s with `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`.',
    '',
    'All classes are branded with `Symbol.for(\'agentauth.error\')`, so `instanceof` and',
    '`isAgentAuthError` work across duplicate installs.',
    '',
    'This table is generated from `src/errors/codes.ts` (`npx tsx scripts/errors-doc.ts --write`);',
    'a test fails when they drift.',
    '',
    '| code | class | HTTP status | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}

if (process.argv.includes('--write')) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc())
}
