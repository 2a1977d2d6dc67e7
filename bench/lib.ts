// Measurement primitives for `npm run bench` (method: ../shared/design/benchmarking.md, and
// docs/benchmarks.md for what changed). Warm up, then take ≥ 5 samples of ~300 ms each, awaiting
// one operation at a time; report the median ops/s and the min–max. A benchmark whose operation
// fails aborts the run: failure paths are never timed.
//
// Time is the process's CPU time (user + system), not wall time: every process is pinned to one
// core, so its CPU time is the work done on that core (Web Crypto's thread-pool work included),
// while the time it spends preempted by a neighbour on a shared machine is left out. Wall-clock
// rates are recorded too.

export interface Sample {
  readonly name: string
  /** Median ops per CPU-second. */
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: readonly number[]
  /** Median ops per wall-clock second (noisy on a shared machine). */
  readonly wallMedian: number
}

export interface MeasureOptions {
  warmupMs?: number
  sampleMs?: number
  samples?: number
}

export type Operation = () => unknown | Promise<unknown>

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Runs `op` until `ms` of CPU time have been used; ops per CPU-second and per wall-second. */
export async function runFor(op: Operation, ms: number): Promise<{ cpuRate: number; wallRate: number }> {
  const cpuStart = cpuMs()
  const wallStart = performance.now()
  let ops = 0
  let used = 0
  // Check the clock every few iterations to keep timer overhead out of the figure.
  while (used < ms) {
    for (let i = 0; i < 8; i++) {
      const r = op()
      if (r instanceof Promise) await r
      ops++
    }
    used = cpuMs() - cpuStart
  }
  const wall = performance.now() - wallStart
  return { cpuRate: (ops * 1000) / used, wallRate: (ops * 1000) / wall }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function summary(name: string, cpu: number[], wall: number[]): Sample {
  const sorted = [...cpu].sort((a, b) => a - b)
  return { name, median: median(cpu), min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: cpu, wallMedian: median(wall) }
}

/**
 * Runs `op` exactly `n` times, one at a time, and returns ops per CPU-second of this process.
 * CPU time, not wall time: on a shared machine the process is often preempted, and CPU time leaves
 * those gaps out (the process is pinned, so thread-pool work is counted too). Used by the A/B and
 * profiling helpers (ab.ts, ab-free.ts, profile.ts, floor.ts).
 */
export async function opsPerCpuSecond(op: Operation, n: number): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const r = op()
    if (r instanceof Promise) await r
  }
  const used = process.cpuUsage(start)
  return (n * 1e6) / (used.user + used.system)
}

export async function measure(name: string, op: Operation, options: MeasureOptions = {}): Promise<Sample> {
  const { warmupMs = 400, sampleMs = 300, samples = 5 } = options
  await runFor(op, warmupMs)
  const cpu: number[] = []
  const wall: number[] = []
  for (let i = 0; i < samples; i++) {
    const r = await runFor(op, sampleMs)
    cpu.push(r.cpuRate)
    wall.push(r.wallRate)
  }
  return summary(name, cpu, wall)
}

/**
 * Measures `op` with each of `references` sampled right before it, sample after sample, and
 * returns the case's figure, each reference's figure and the median of the per-sample ratios
 * `op / reference`: adjacent samples see the same machine state, so the ratio stays stable when
 * absolute rates drift.
 */
export async function measureAgainst(
  name: string,
  op: Operation,
  references: Readonly<Record<string, Operation>>,
  options: MeasureOptions = {},
): Promise<{ sample: Sample; references: Record<string, Sample>; ratios: Record<string, number> }> {
  const { warmupMs = 400, sampleMs = 300, samples = 5 } = options
  const names = Object.keys(references)
  await runFor(op, warmupMs)
  for (const r of names) await runFor(references[r]!, warmupMs / 2)
  const cpu: number[] = []
  const wall: number[] = []
  const refCpu: Record<string, number[]> = Object.fromEntries(names.map((r) => [r, []]))
  const refWall: Record<string, number[]> = Object.fromEntries(names.map((r) => [r, []]))
  const ratios: Record<string, number[]> = Object.fromEntries(names.map((r) => [r, []]))
  for (let i = 0; i < samples; i++) {
    const before: Record<string, number> = {}
    for (const r of names) {
      const m = await runFor(references[r]!, sampleMs)
      refCpu[r]!.push(m.cpuRate)
      refWall[r]!.push(m.wallRate)
      before[r] = m.cpuRate
    }
    const m = await runFor(op, sampleMs)
    cpu.push(m.cpuRate)
    wall.push(m.wallRate)
    for (const r of names) ratios[r]!.push(m.cpuRate / before[r]!)
  }
  return {
    sample: summary(name, cpu, wall),
    references: Object.fromEntries(names.map((r) => [r, summary(r, refCpu[r]!, refWall[r]!)])),
    ratios: Object.fromEntries(names.map((r) => [r, median(ratios[r]!)])),
  }
}

/** A benchmark case: `setup` prepares inputs (untimed) and returns the timed operation. */
export interface BenchCase {
  readonly name: string
  /** Which raw verification this case is compared with. */
  readonly reference: 'ES256' | 'EdDSA'
  readonly setup: () => Promise<Operation>
  /** Where the figure comes from when it is not ours (e.g. an npm peer library). */
  readonly kind?: 'ours' | 'peer' | 'baseline'
}

export interface BenchSuite {
  readonly name: string
  readonly cases: readonly BenchCase[]
}

/** One variant of an interleaved comparison: its per-round ratios to the reference are collected in `ratios`. */
export interface InterleavedVariant {
  readonly name: string
  readonly op: Operation
  readonly ratios: number[]
}

/**
 * Warms every variant and the reference up, then, each round, times the reference once and every
 * variant once (rotating their order), pushing `variant ops/s ÷ reference ops/s` into
 * `variant.ratios`; prints median and range per variant. Used by the floor and allocation
 * experiments.
 */
export async function interleaveAgainst(reference: Operation, variants: readonly InterleavedVariant[], perRound: number, rounds: number, pad = 56): Promise<void> {
  for (const v of variants) await opsPerCpuSecond(v.op, 400)
  await opsPerCpuSecond(reference, 400)
  for (let r = 0; r < rounds; r++) {
    const a = await opsPerCpuSecond(reference, perRound)
    for (let j = 0; j < variants.length; j++) {
      const v = variants[(j + r) % variants.length]!
      v.ratios.push((await opsPerCpuSecond(v.op, perRound)) / a)
    }
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
  for (const v of variants) console.log(`${v.name.padEnd(pad)} × raw node:crypto ${med(v.ratios).toFixed(3)} (${Math.min(...v.ratios).toFixed(3)}–${Math.max(...v.ratios).toFixed(3)})`)
}
