// Before/after table from `npm run bench` result files (bench/results/latest.json copies), e.g.
// from runs of two checkouts alternated rep by rep:
//   node bench/compare.mjs before-1.json before-2.json -- after-1.json after-2.json
// Per case: median over the files of the ops per CPU-second and of the ratios to one raw
// verification (each ratio already comes from samples adjacent to the case's own).
import { readFileSync } from 'node:fs'

const args = process.argv.slice(2)
const cut = args.indexOf('--')
if (cut < 1 || cut === args.length - 1) throw new Error('usage: compare.mjs <before.json>... -- <after.json>...')
const load = (files) => {
  const rows = new Map()
  for (const f of files) {
    for (const r of JSON.parse(readFileSync(f, 'utf8')).rows) {
      const key = `${r.suite}\u0000${r.name}`
      const e = rows.get(key) ?? { suite: r.suite, name: r.name, kind: r.kind, ops: [], node: [], subtle: [] }
      e.ops.push(r.median)
      e.node.push(r.ratioNode)
      e.subtle.push(r.ratioSubtle)
      rows.set(key, e)
    }
  }
  return rows
}
const before = load(args.slice(0, cut))
const after = load(args.slice(cut + 1))
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'))
const ratio = (n) => (n === undefined ? '–' : n.toFixed(2))
const lines = [
  '| suite | case | before ops/CPU-s | before × raw node:crypto | after ops/CPU-s | after × raw node:crypto | after × raw crypto.subtle |',
  '|---|---|---:|---:|---:|---:|---:|',
]
for (const [key, a] of after) {
  if (a.kind === 'baseline' && a.name.startsWith('raw ')) continue
  const b = before.get(key)
  lines.push(`| ${a.suite} | ${a.name}${a.kind === 'peer' ? ' (npm peer)' : ''} | ${fmt(b && median(b.ops))} | ${ratio(b && median(b.node))} | ${fmt(median(a.ops))} | ${ratio(median(a.node))} | ${ratio(median(a.subtle))} |`)
}
for (const [key, a] of after) {
  if (!(a.kind === 'baseline' && a.name.startsWith('raw '))) continue
  const b = before.get(key)
  lines.push(`| ${a.suite} | ${a.name} | ${fmt(b && median(b.ops))} | | ${fmt(median(a.ops))} | | |`)
}
console.log(`${args.slice(0, cut).length} before run(s), ${args.slice(cut + 1).length} after run(s); medians\n`)
console.log(lines.join('\n'))
