// `npm run bench`: every suite in bench/suites runs in ≥ 3 fresh processes (interleaved), each
// pinned to core 0 with taskset when available. Prints a table of median ops per CPU-second and the
// ratio to one raw signature verification sampled alternately with each case in the same process
// (docs/benchmarks.md); writes bench/results/latest.json.
// `npm run bench:micro -- --quick` shortens sampling (smoke run); `-- wit wpt` selects suites
// (`npm run bench` runs this with the same arguments via bench/all.ts, then the HTTP benchmark).
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const selected = args.filter((a) => !a.startsWith('--'))
const reps = quick ? 1 : Number(process.env.BENCH_REPS ?? 3)

const suites = readdirSync(`${here}suites`)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((s) => selected.length === 0 || selected.includes(s))

let taskset: string[] = []
try {
  execFileSync('taskset', ['-c', '0', 'true'])
  taskset = ['taskset', '-c', '0']
} catch {
  console.error('taskset not available: processes are not pinned (figures are noisier)')
}

interface Row { suite: string; name: string; kind: string; reference: string; ops: number[]; mins: number[]; maxs: number[]; ratioNode: number[]; ratioSubtle: number[] }
const rows = new Map<string, Row>()
for (let rep = 0; rep < reps; rep++) {
  for (const suite of suites) {
    const cmd = [...taskset, process.execPath, '--expose-gc', '--import', 'tsx', `${here}worker.ts`, `${here}suites/${suite}.ts`, quick ? 'quick' : 'full']
    const out = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', maxBuffer: 1 << 24 })
    if (out.status !== 0) {
      console.error(out.stdout, out.stderr)
      throw new Error(`bench suite ${suite} failed`)
    }
    const data = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
      reference: Record<string, { node: number; subtle: number }>
      results: Array<{ name: string; median: number; min: number; max: number; reference: string; kind: string; ratioNode: number; ratioSubtle: number }>
    }
    for (const r of data.results) {
      const key = `${suite}\u0000${r.name}`
      const row = rows.get(key) ?? { suite, name: r.name, kind: r.kind, reference: r.reference, ops: [], mins: [], maxs: [], ratioNode: [], ratioSubtle: [] }
      row.ops.push(r.median)
      row.mins.push(r.min)
      row.maxs.push(r.max)
      // Ratios from samples adjacent to the case's own (bench/lib.ts measureAgainst).
      row.ratioNode.push(r.ratioNode)
      row.ratioSubtle.push(r.ratioSubtle)
      rows.set(key, row)
    }
    const refKey = (alg: string, kind: 'node' | 'subtle') => `${suite}\u0000raw ${alg} verify ${kind === 'node' ? 'node:crypto' : 'crypto.subtle'}`
    for (const [alg, ref] of Object.entries(data.reference)) {
      for (const kind of ['node', 'subtle'] as const) {
        const key = refKey(alg, kind)
        const row = rows.get(key) ?? { suite, name: `raw ${alg} verify (${kind === 'node' ? 'node:crypto' : 'crypto.subtle'})`, kind: 'baseline', reference: alg, ops: [], mins: [], maxs: [], ratioNode: [], ratioSubtle: [] }
        row.ops.push(ref[kind])
        row.mins.push(ref[kind])
        row.maxs.push(ref[kind])
        row.ratioNode.push(ref[kind] / ref.node)
        row.ratioSubtle.push(ref[kind] / ref.subtle)
        rows.set(key, row)
      }
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const lines = ['| suite | case | ops/CPU-s (median) | min–max | × raw node:crypto | × raw crypto.subtle |', '|---|---|---:|---:|---:|---:|']
const json = []
for (const row of rows.values()) {
  const m = median(row.ops)
  lines.push(`| ${row.suite} | ${row.name}${row.kind === 'peer' ? ' (npm peer)' : ''} | ${fmt(m)} | ${fmt(Math.min(...row.mins))}–${fmt(Math.max(...row.maxs))} | ${median(row.ratioNode).toFixed(2)} | ${median(row.ratioSubtle).toFixed(2)} |`)
  json.push({ ...row, median: m, ratioNode: median(row.ratioNode), ratioSubtle: median(row.ratioSubtle) })
}
console.log(`node ${process.version}, ${reps} process(es) per suite${taskset.length ? ', pinned to core 0' : ''}, CPU time${quick ? ', QUICK (smoke) sampling' : ''}\n`)
console.log(lines.join('\n'))
mkdirSync(`${here}results`, { recursive: true })
writeFileSync(`${here}results/latest.json`, JSON.stringify({ node: process.version, quick, reps, rows: json }, null, 2))
