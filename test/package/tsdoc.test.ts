// TSDoc audit of the public surface: every symbol exported from a public entry point (the
// package.json `exports` map → `src/<subpath>/index.ts`, and `src/index.ts` for `.`) must carry a
// non-empty TSDoc summary and at least one `@example`. Symbols are followed through re-exports to
// their declarations; overloads pass if one signature has the tag, constants if their variable
// statement has it. Functions (declarations and `const f = () => …`) also need `@param` when they
// take parameters, and `@returns`. The "Reachable from `agentauth/x`" sentence is checked by
// exports.test.ts.
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }

const entries = Object.keys(pkg.exports)
  .filter((k) => k !== './package.json')
  .map((k) => ({ subpath: k === '.' ? 'agentauth' : `agentauth/${k.slice(2)}`, file: join(root, 'src', k === '.' ? '' : k.slice(2), 'index.ts') }))

interface Finding {
  readonly name: string
  readonly file: string
  readonly summary: boolean
  readonly example: boolean
  /** Missing function tags (`param`, `returns`); empty for non-functions. */
  readonly tags: readonly string[]
}

/** The TSDoc blocks attached to a declaration (the variable statement for a `const`). */
function docsOf(decl: ts.Declaration): ts.JSDoc[] {
  return ts.getJSDocCommentsAndTags(decl).filter((d): d is ts.JSDoc => ts.isJSDoc(d))
}

/** The function-like node of a declaration, if it is one (`function f` or `const f = () => …`). */
function functionOf(decl: ts.Declaration): ts.SignatureDeclaration | undefined {
  if (ts.isFunctionDeclaration(decl)) return decl
  if (ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) return decl.initializer
  return undefined
}

function audit(): { checked: number; findings: Finding[]; unresolved: string[] } {
  const configPath = join(root, 'tsconfig.adapters.json')
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
  if (!parsed) throw new Error('cannot read tsconfig.adapters.json')
  const program = ts.createProgram({ rootNames: entries.map((e) => e.file), options: { ...parsed.options, noEmit: true } })
  const checker = program.getTypeChecker()
  const seen = new Map<ts.Symbol, Finding>()
  const unresolved: string[] = []
  for (const entry of entries) {
    const source = program.getSourceFile(entry.file)
    const moduleSymbol = source && checker.getSymbolAtLocation(source)
    if (!moduleSymbol) {
      unresolved.push(entry.subpath)
      continue
    }
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      if (seen.has(symbol)) continue
      const decls = (symbol.declarations ?? []).filter((d) => !d.getSourceFile().isDeclarationFile)
      if (decls.length === 0) {
        unresolved.push(`${entry.subpath}#${exported.name}`)
        continue
      }
      const docs = decls.flatMap(docsOf)
      const fns = decls.map(functionOf).filter((f) => f !== undefined)
      const tagNames = new Set(docs.flatMap((d) => (d.tags ?? []).map((t) => t.tagName.text)))
      const tags = fns.length === 0 ? [] : [fns.some((f) => f.parameters.length > 0) && !tagNames.has('param') ? 'param' : '', tagNames.has('returns') ? '' : 'returns'].filter(Boolean)
      seen.set(symbol, {
        name: `${entry.subpath}#${exported.name}`,
        file: relative(root, decls[0]!.getSourceFile().fileName),
        summary: docs.some((d) => (ts.getTextOfJSDocComment(d.comment) ?? '').trim().length > 0),
        example: tagNames.has('example'),
        tags,
      })
    }
  }
  const findings = [...seen.values()].filter((f) => !f.summary || !f.example || f.tags.length > 0)
  return { checked: seen.size, findings, unresolved }
}

describe('TSDoc on the public API', () => {
  const { checked, findings, unresolved } = audit()

  it('resolves every entry point and export to a declaration in src/', () => {
    expect(unresolved).toEqual([])
    expect(checked).toBeGreaterThan(100)
  })

  it('gives every exported symbol a summary and an @example, and every function @param and @returns', () => {
    const report = findings.map((f) => `${f.name} (${f.file}):${f.summary ? '' : ' no summary;'}${f.example ? '' : ' no @example;'}${f.tags.map((t) => ` no @${t};`).join('')}`)
    expect(report, `${findings.length} of ${checked} exports lack TSDoc:\n${report.join('\n')}`).toEqual([])
  })
})
