// Builds the package and checks the published surface: every `exports` entry resolves through a
// package self-reference, the TSDoc of each module names its subpath ("Reachable from
// `agentauth/x`"), and the runtime-agnostic core (everything outside the Node-only adapters) has no
// `node:` imports or Node globals.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; default: string }> }
const NODE_ONLY = /^dist\/(adapters\/(node|express|fastify|undici)|cli|broker\/node)\//

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

/** Drops block and line comments (TSDoc examples mention Node APIs); strings are left alone. */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'pipe' })
}, 120_000)

describe('package exports', () => {
  const entries = Object.entries(pkg.exports).filter(([k]) => k !== './package.json')

  it.each(entries)('%s has its types and code in dist', (_subpath, target) => {
    const t = target as { types: string; default: string }
    expect(existsSync(join(root, t.types)), t.types).toBe(true)
    expect(existsSync(join(root, t.default)), t.default).toBe(true)
  })

  it('every subpath resolves and loads through a package self-reference in plain Node', () => {
    const specifiers = entries.map(([k]) => (k === '.' ? 'agentauth' : `agentauth/${k.slice(2)}`))
    const script = `const out = {}; for (const s of ${JSON.stringify(specifiers)}) { out[s] = Object.keys(await import(s)).length }; console.log(JSON.stringify(out))`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
    const counts = JSON.parse(out) as Record<string, number>
    for (const s of specifiers) expect(counts[s], s).toBeGreaterThan(0)
  })

  it.each(entries.filter(([k]) => k !== '.'))('the TSDoc of %s says where it is reachable from', (subpath) => {
    const src = join(root, 'src', subpath.slice(2), 'index.ts')
    expect(readFileSync(src, 'utf8')).toContain(`Reachable from \`agentauth/${subpath.slice(2)}\``)
  })

  it('the core has no node: imports, Buffer or process use', () => {
    const offenders = walk(join(root, 'dist'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => f.slice(root.length))
      .filter((f) => !NODE_ONLY.test(f))
      .filter((f) => /from ['"]node:|import\(['"]node:|\bBuffer\.|\bprocess\./.test(stripComments(readFileSync(join(root, f), 'utf8'))))
    expect(offenders).toEqual([])
  })
})
