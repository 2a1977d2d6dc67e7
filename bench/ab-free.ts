// A/B helper (not part of `npm run bench`): like bench/ab.ts, and also measures each variant with
// node:crypto's verify replaced by a constant (the pipeline's own cost without the signature
// check), so small changes show above the noise of the ~80 µs verification. CPU time per op.
//   BENCH_POOL=40000 taskset -c 0 node --import tsx bench/ab-free.ts server 'WPT ES256, cached WIT (nodeCrypto' .tmp/base .
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { opsPerCpuSecond, type BenchSuite, type Operation } from './lib.js'
import { referenceOperations } from './reference.js'

const [suiteName, pattern, ...rest] = process.argv.slice(2)
const dirs = rest.filter((a) => !/^\d+$/.test(a))
const nums = rest.filter((a) => /^\d+$/.test(a)).map(Number)
if (!suiteName || !pattern || dirs.length === 0) throw new Error('usage: ab-free.ts <suite> <case substring> <dir>... [ops/round] [rounds]')
const perRound = nums[0] ?? 1500
const rounds = nums[1] ?? 7
const nodeCrypto = createRequire(import.meta.url)('node:crypto') as { verify: (...a: unknown[]) => unknown }
const realVerify = nodeCrypto.verify
function stub(on: boolean): void {
  nodeCrypto.verify = on ? () => true : realVerify
  syncBuiltinESMExports()
}

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

/** CPU µs per run of `fn`. */
const time = async (fn: Operation, n: number): Promise<number> => 1e6 / (await opsPerCpuSecond(fn, n))

const raw: number[] = []
const real = variants.map(() => [] as number[])
const free = variants.map(() => [] as number[])
for (const v of variants) await time(v.op, 300)
for (let r = 0; r < rounds; r++) {
  stub(false)
  raw.push(await time(ref, perRound))
  for (let k = 0; k < variants.length; k++) real[k]!.push(await time(variants[k]!.op, perRound))
  stub(true)
  for (let k = 0; k < variants.length; k++) free[k]!.push(await time(variants[k]!.op, perRound))
}
stub(false)
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
console.log(`${variants[0]!.name}: raw ${refAlg} verify ${med(raw).toFixed(1)} µs`)
variants.forEach((v, k) => console.log(`  ${v.dir.padEnd(12)} ${med(real[k]!).toFixed(1)} µs/op (ratio ${(med(raw) / med(real[k]!)).toFixed(3)}), without the verification ${med(free[k]!).toFixed(2)} µs/op`))
