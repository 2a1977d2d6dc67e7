// Runs one suite in this process: every case is sampled alternately with the raw node:crypto and
// crypto.subtle verifications of its algorithm (measureAgainst), so each ratio comes from adjacent
// samples. JSON to stdout. Started by bench/run.ts, one fresh process per suite and repetition,
// pinned to one core.
import { measureAgainst, type BenchSuite, type Operation } from './lib.js'
import { referenceOperations, type ReferenceAlg } from './reference.js'

const [suitePath, quick] = process.argv.slice(2)
if (!suitePath) throw new Error('usage: worker.ts <suite module>')
const opts = quick === 'quick' ? { warmupMs: 100, sampleMs: 100, samples: 3 } : {}
const suite = ((await import(suitePath)) as { default: BenchSuite }).default

const refOps = new Map<ReferenceAlg, { node: Operation; subtle: Operation }>()
const refRates = new Map<ReferenceAlg, { node: number[]; subtle: number[] }>()
const results: Array<Record<string, unknown>> = []
for (const c of suite.cases) {
  let ref = refOps.get(c.reference)
  if (ref === undefined) {
    ref = await referenceOperations(c.reference)
    refOps.set(c.reference, ref)
  }
  const op = await c.setup()
  await op() // must succeed once before timing
  // Collect the setup's garbage (request pools are built by signing thousands of proofs) so the
  // first samples are not charged for it (run.ts starts workers with --expose-gc).
  ;(globalThis as { gc?: () => void }).gc?.()
  const m = await measureAgainst(c.name, op, { node: ref.node, subtle: ref.subtle }, opts)
  const rates = refRates.get(c.reference) ?? { node: [], subtle: [] }
  rates.node.push(m.references.node!.median)
  rates.subtle.push(m.references.subtle!.median)
  refRates.set(c.reference, rates)
  results.push({ ...m.sample, reference: c.reference, kind: c.kind ?? 'ours', ratioNode: m.ratios.node, ratioSubtle: m.ratios.subtle })
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const reference: Record<string, { node: number; subtle: number }> = {}
for (const [alg, r] of refRates) reference[alg] = { node: median(r.node), subtle: median(r.subtle) }
process.stdout.write(JSON.stringify({ suite: suite.name, reference, results }) + '\n')
