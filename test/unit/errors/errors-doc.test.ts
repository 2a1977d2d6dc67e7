import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderErrorsDoc } from '../../../scripts/errors-doc.js'

describe('docs/errors.md', () => {
  it('is in sync with src/errors/codes.ts (run `npx tsx scripts/errors-doc.ts --write`)', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')
    expect(doc).toBe(renderErrorsDoc())
  })
})
