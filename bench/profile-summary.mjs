// Aggregates a CPU profile over every .cpuprofile in a directory (written by bench/profile.ts with
// PROFILE=<dir>, or by node --cpu-prof): self time by function (name + file:line), and with
// --inclusive, total time (self + callees, counted once per sample) by function.
// Usage: node bench/profile-summary.mjs <dir> [top N] [--inclusive]
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const args = process.argv.slice(2)
const inclusive = args.includes('--inclusive')
const [dir = '.tmp/prof', topArg = '40'] = args.filter((a) => !a.startsWith('--'))
const top = Number(topArg)
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f))
const totals = new Map()
let total = 0
const label = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '')}:${cf.lineNumber + 1}`
for (const file of files) {
  const prof = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0
    total += dt
    if (!inclusive) {
      const key = label(byId.get(prof.samples[i]).callFrame)
      totals.set(key, (totals.get(key) ?? 0) + dt)
      continue
    }
    const seen = new Set()
    for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) {
      const key = label(byId.get(id).callFrame)
      if (seen.has(key)) continue
      seen.add(key)
      totals.set(key, (totals.get(key) ?? 0) + dt)
    }
  }
}
const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
console.log(`${files.length} profile(s): ${(total / 1000).toFixed(0)} ms sampled, ${inclusive ? 'inclusive' : 'self'} time`)
for (const [k, v] of rows) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
