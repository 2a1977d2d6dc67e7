// A/B helper (not part of `npm run bench`): loads the same bench case from two checkouts (e.g. a
// copy of the previous commit and the working tree) into ONE process and interleaves them with the
// raw node:crypto reference, so a noisy neighbour hits all three alike. Prints per-variant median
// ratio to the raw verification and overhead in µs beyond it.
//   BENCH_POOL=20000 taskset -c 0 node --import tsx bench/ab.ts server 'WPT ES256, cached WIT (nodeCrypto' .tmp/base . [ops/round] [rounds]
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { opsPerCpuSecond, type BenchSuite, type Operation } from './lib.js'
import { referenceOperations } from './reference.js'

const [suiteName, pattern, ...rest] = process.argv.slice(2)
const dirs = rest.filter((a) => !/^\d+$/.test(a))
const nums = rest.filter((a) => /^\d+$/.test(a)).map(Number)
if (!suiteName || !pattern || dirs.length === 0) throw new Error('usage: ab.ts <suite> <case substring> <dir>... [ops/round] [rounds]')
const perRound = nums[0] ?? 2000
const rounds = nums[1] ?? 7

const variants: Array<{ dir: string; name: string; op: Operation }> = []
let refAlg: 'ES256' | 'EdDSA' = 'ES256'
for (const dir of dirs) {
  const suite = ((await import(pathToFileURL(resolve(dir, 'bench/suites', `${suiteName}.ts`)).href)) as { default: BenchSuite }).default
  const c = suite.cases.find((x) => x.name.includes(pattern))
  if (c === undefined) throw new Error(`no case matches ${pattern} in ${dir}`)
  refAlg = c.reference
  const op = await c.setup()
  await op()
  variants.push({ dir, name: c.name, op })
}
const ref = (await referenceOperations(refAlg)).node

/** Ops per CPU-second of `n` runs of `fn` (bench/lib.ts). */
const time = opsPerCpuSecond

for (const v of variants) await time(v.op, Math.min(500, perRound))
await time(ref, 500)
const ratios = variants.map(() => [] as number[])
const overheads = variants.map(() => [] as number[])
for (let r = 0; r < rounds; r++) {
  const a = await time(ref, perRound)
  // Rotate the order every round: the variant timed right after the reference runs measurably
  // faster (garbage another variant left is collected during the next one), so no fixed order.
  for (let j = 0; j < variants.length; j++) {
    const k = (j + r) % variants.length
    const b = await time(variants[k]!.op, perRound)
    ratios[k]!.push(b / a)
    overheads[k]!.push(1e6 / b - 1e6 / a)
  }
}
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
console.log(variants[0]!.name)
variants.forEach((v, k) => console.log(`  ${v.dir.padEnd(12)} ratio ${med(ratios[k]!).toFixed(3)} (${Math.min(...ratios[k]!).toFixed(3)}–${Math.max(...ratios[k]!).toFixed(3)}), overhead ${med(overheads[k]!).toFixed(1)} µs/op`))
