// Profiling / A-B helper (not part of `npm run bench`): runs one case of a suite for a fixed number
// of operations, interleaved with the raw node:crypto reference in the same process, and prints
// ops/s and the ratio per round. Run it pinned:
//   BENCH_POOL=20000 taskset -c 0 node --import tsx bench/profile.ts server 'WPT ES256, cached WIT (nodeCrypto' [ops per round] [rounds]
// With STUB_VERIFY=1 the signature check itself is replaced by a constant. With PROFILE=<dir>, the case's timed operations only (setup and reference excluded) are recorded
// with the inspector's CPU profiler into <dir>/case.cpuprofile; `node bench/profile-summary.mjs <dir>`
// then aggregates self time by function.
import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { opsPerCpuSecond, type BenchSuite, type Operation } from './lib.js'
import { referenceOperations } from './reference.js'

const [suiteName, pattern, opsArg, roundsArg] = process.argv.slice(2)
if (!suiteName || !pattern) throw new Error('usage: profile.ts <suite> <case substring> [ops per round] [rounds]')
const suite = ((await import(`./suites/${suiteName}.ts`)) as { default: BenchSuite }).default
const c = suite.cases.find((x) => x.name.includes(pattern))
if (c === undefined) throw new Error(`no case matches ${pattern}: ${suite.cases.map((x) => x.name).join(' | ')}`)
const perRound = Number(opsArg ?? 2000)
const rounds = Number(roundsArg ?? 5)
const op = await c.setup()
const ref = (await referenceOperations(c.reference)).node

/** Ops per CPU-second of `n` runs of `fn` (bench/lib.ts). */
const time = opsPerCpuSecond

// STUB_VERIFY=1: node:crypto's verify answers true without verifying, so the profile shows only
// the pipeline around the signature check (the reference is then meaningless).
if (process.env.STUB_VERIFY === '1') {
  ;(createRequire(import.meta.url)('node:crypto') as { verify: unknown }).verify = () => true
  syncBuiltinESMExports()
}
// TIME_VERIFY=1: node:crypto's verify is wrapped to measure the time spent inside it, so the
// per-op figure splits into "inside the signature check" and "everything around it".
const inside = { ns: 0n, calls: 0 }
if (process.env.TIME_VERIFY === '1') {
  const mod = createRequire(import.meta.url)('node:crypto') as { verify: (...a: unknown[]) => unknown }
  const real = mod.verify
  mod.verify = (...a: unknown[]) => {
    const t = process.hrtime.bigint()
    try { return real(...a) } finally { inside.ns += process.hrtime.bigint() - t; inside.calls++ }
  }
  syncBuiltinESMExports()
}
function insideSince(mark: { ns: bigint; calls: number }): string {
  const calls = inside.calls - mark.calls
  return calls === 0 ? 'n/a' : `${(Number(inside.ns - mark.ns) / 1000 / calls).toFixed(1)} µs/verify`
}
const profileDir = process.env.PROFILE
const session = profileDir ? new Session() : undefined
if (session) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_INTERVAL ?? 500) })
}
async function timeOp(n: number): Promise<number> {
  if (session) await session.post('Profiler.start')
  const rate = await time(op, n)
  if (session) {
    const { profile } = await session.post('Profiler.stop')
    profiles.push(profile)
  }
  return rate
}
const profiles: unknown[] = []

await time(op, Math.min(500, perRound))
await time(ref, 500)
const ratios: number[] = []
const overheads: number[] = []
for (let r = 0; r < rounds; r++) {
  const m0 = { ...inside }
  const a = await time(ref, perRound)
  const refInside = insideSince(m0)
  const m1 = { ...inside }
  const b = await timeOp(perRound)
  if (process.env.TIME_VERIFY === '1') console.log(`round ${r}: inside verify: reference ${refInside} (of ${(1e6 / a).toFixed(1)} µs/op), case ${insideSince(m1)} (of ${(1e6 / b).toFixed(1)} µs/op)`)
  ratios.push(b / a)
  overheads.push(1e6 / b - 1e6 / a)
  if (process.env.VERBOSE) console.log(`round ${r}: ${c.name}: ${Math.round(b)} ops/s, raw ${c.reference} node:crypto ${Math.round(a)} ops/s, ratio ${(b / a).toFixed(3)}`)
}
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
console.log(`${c.name}: median ratio ${med(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}), overhead beyond one raw verify ${med(overheads).toFixed(1)} µs/op`)
if (profileDir) {
  mkdirSync(profileDir, { recursive: true })
  profiles.forEach((p, i) => writeFileSync(`${profileDir}/case-${i}.cpuprofile`, JSON.stringify(p)))
}
