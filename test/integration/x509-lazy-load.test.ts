// Package-level check that @peculiar/x509 and its reflect-metadata polyfill stay behind
// `agentauth/x509` and load only on first use: a fresh Node process imports the source entry of
// every other `exports` subpath (and the root barrel) one after another and, after each, looks for
// the two packages in the CommonJS module cache (both are CommonJS) and for the global
// `Reflect.getMetadata` the polyfill installs. The same probe then sees them appear once
// `agentauth/x509` is actually used — the control that proves the probe can see them.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; sideEffects: unknown }

/** `exports` subpath → its source entry (`.` → src/index.ts), for the entries that exist. */
function sourceEntries(): Array<[string, string]> {
  return Object.keys(pkg.exports)
    .filter((k) => k !== './package.json' && k !== './x509')
    .map((k): [string, string] => [k === '.' ? 'agentauth' : `agentauth/${k.slice(2)}`, join(root, 'src', k === '.' ? '' : k.slice(2), 'index.ts')])
    .filter(([, file]) => existsSync(file))
}

interface Probe {
  entry: string
  reflect: boolean
  peculiar: boolean
  reflectModule: boolean
}

function runProbe(entries: Array<[string, string]>): Probe[] {
  const script = `
    import { createRequire } from 'node:module'
    const require = createRequire(import.meta.url)
    const probe = (entry) => {
      const cached = Object.keys(require.cache)
      return {
        entry,
        reflect: typeof Reflect.getMetadata === 'function',
        peculiar: cached.some((k) => k.includes('/@peculiar/x509/')),
        reflectModule: cached.some((k) => k.includes('/reflect-metadata/')),
      }
    }
    const out = [probe('(start)')]
    for (const [entry, file] of ${JSON.stringify(entries)}) {
      await import(file)
      out.push(probe(entry))
    }
    const x509 = await import(${JSON.stringify(join(root, 'src/x509/index.ts'))})
    out.push(probe('agentauth/x509 (imported)'))
    await x509.parseX509SVID(new Uint8Array([0x30, 0x00])).catch(() => {})
    out.push(probe('agentauth/x509 (used)'))
    console.log(JSON.stringify(out))
  `
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Probe[]
}

describe('lazy loading of @peculiar/x509 and reflect-metadata', () => {
  it('importing the root barrel or any other subpath loads neither; using agentauth/x509 loads both', () => {
    const entries = sourceEntries()
    expect(entries.length).toBeGreaterThan(10)
    const probes = runProbe(entries)
    const clean = (p: Probe): boolean => !p.reflect && !p.peculiar && !p.reflectModule
    expect(probes.filter((p) => !clean(p))).toEqual([probes.at(-1)])
    expect(probes.map((p) => p.entry)).toEqual(['(start)', ...entries.map(([e]) => e), 'agentauth/x509 (imported)', 'agentauth/x509 (used)'])
    expect(probes.at(-1)).toEqual({ entry: 'agentauth/x509 (used)', reflect: true, peculiar: true, reflectModule: true })
  })

  it('only the loader is declared to have side effects', () => {
    expect(pkg.sideEffects).toEqual(['./dist/x509/load.js'])
    // Nothing but the loader (and type-only imports) may name the two packages.
    const offenders = ['svid.ts', 'verify.ts', 'verify-chain.ts', 'bundle.ts', 'certificate.ts', 'der.ts', 'pem.ts', 'name-constraints.ts', 'types.ts', 'index.ts']
      .map((f) => [f, readFileSync(join(root, 'src/x509', f), 'utf8')] as const)
      .filter(([, src]) => /^import (?!type )[^\n]*['"](@peculiar\/x509|reflect-metadata)['"]/m.test(src) || /import\(['"](@peculiar\/x509|reflect-metadata)['"]\)/.test(src))
      .map(([f]) => f)
    expect(offenders).toEqual([])
  })
})
