// Runs one suite in this process: references before and after, each case between, JSON to stdout.
// Started by bench/run.ts, one fresh process per suite and repetition, pinned to one core.
import { measure, type BenchSuite, type Sample } from './lib.js'
import { referenceOperations, type ReferenceAlg } from './reference.js'

const [suitePath, quick] = process.argv.slice(2)
if (!suitePath) throw new Error('usage: worker.ts <suite module>')
const opts = quick === 'quick' ? { warmupMs: 100, sampleMs: 100, samples: 3 } : {}
const suite = ((await import(suitePath)) as { default: BenchSuite }).default

const refs = new Map<ReferenceAlg, { node: Sample[]; subtle: Sample[] }>()
async function runReferences(): Promise<void> {
  for (const alg of new Set(suite.cases.map((c) => c.reference))) {
    const ops = await referenceOperations(alg)
    const entry = refs.get(alg) ?? { node: [], subtle: [] }
    entry.node.push(await measure(`raw ${alg} verify node:crypto`, ops.node, opts))
    entry.subtle.push(await measure(`raw ${alg} verify crypto.subtle`, ops.subtle, opts))
    refs.set(alg, entry)
  }
}

await runReferences()
const results: Array<Sample & { reference: ReferenceAlg; kind: string }> = []
for (const c of suite.cases) {
  const op = await c.setup()
  await op() // must succeed once before timing
  results.push({ ...(await measure(c.name, op, opts)), reference: c.reference, kind: c.kind ?? 'ours' })
}
await runReferences()

const reference: Record<string, { node: number; subtle: number }> = {}
for (const [alg, r] of refs) {
  const avg = (s: Sample[]) => s.reduce((a, b) => a + b.median, 0) / s.length
  reference[alg] = { node: avg(r.node), subtle: avg(r.subtle) }
}
process.stdout.write(JSON.stringify({ suite: suite.name, reference, results }) + '\n')
