// Allocation experiment (not part of `npm run bench`): does short-lived allocation between two
// signature verifications slow them down? Interleaves, in one process and with the raw node:crypto
// reference (rotated order, CPU time): the minimal floor verifier, the floor plus 3.3 KB and 9 KB of
// short-lived objects per request, verifyRequest (WPT ES256, nodeCrypto()), and the raw verification
// plus 3.3 KB. Reported in docs/benchmarks.md ("Fourth pass").
//   BENCH_POOL=40000 taskset -c 0 node --expose-gc --import tsx bench/alloc-experiment.ts [ops/round] [rounds]
import { interleaveAgainst, type BenchSuite, type InterleavedVariant, type Operation } from './lib.js'
import { minimalVerifier } from './minimal-verifier.js'
import { referenceOperations } from './reference.js'
const perRound = Number(process.argv[2] ?? 800)
const rounds = Number(process.argv[3] ?? 12)
const POOL = Number(process.env.BENCH_POOL ?? 30_000)
let sink: unknown
function junk(bytes: number): void {
  const n = Math.round(bytes / 48)
  const arr: unknown[] = []
  for (let i = 0; i < n; i++) arr.push({ a: i, b: i + 1, c: i + 2 })
  sink = arr
}
function withJunk(op: Operation, bytes: number): Operation {
  return () => { junk(bytes); return op() }
}
const suite = ((await import('./suites/server.js')) as { default: BenchSuite }).default
const ours = suite.cases.find((c) => c.name.includes('WPT ES256, cached WIT (nodeCrypto'))!
const variants: InterleavedVariant[] = [
  { name: 'floor', op: await minimalVerifier(POOL), ratios: [] },
  { name: 'floor + 3 KB junk', op: withJunk(await minimalVerifier(POOL), 3300), ratios: [] },
  { name: 'floor + 9 KB junk', op: withJunk(await minimalVerifier(POOL), 9000), ratios: [] },
  { name: 'ours', op: await ours.setup(), ratios: [] },
]
const ref = (await referenceOperations('ES256')).node
const refJunk = withJunk(ref, 3300)
const extra = { name: 'raw + 3 KB junk', op: refJunk, ratios: [] as number[] }
variants.push(extra)
await interleaveAgainst(ref, variants, perRound, rounds, 30)
// junk cost alone
const t0 = process.cpuUsage(); for (let i = 0; i < 20000; i++) junk(3300); const t1 = process.cpuUsage(t0)
console.log('3.3 KB junk alone µs/op', ((t1.user + t1.system) / 20000).toFixed(2))
void sink
