// Measurement primitives for `npm run bench` (method: ../shared/design/benchmarking.md).
// Warm up, then take ≥ 5 samples of ~300 ms each, awaiting one operation at a time; report the
// median ops/s and the min–max. A benchmark whose operation fails aborts the run: failure paths are
// never timed.

export interface Sample {
  readonly name: string
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: readonly number[]
}

export interface MeasureOptions {
  warmupMs?: number
  sampleMs?: number
  samples?: number
}

export type Operation = () => unknown | Promise<unknown>

async function runFor(op: Operation, ms: number): Promise<{ ops: number; elapsed: number }> {
  const start = performance.now()
  const deadline = start + ms
  let ops = 0
  let now = start
  // Check the clock every few iterations to keep timer overhead out of the figure.
  while (now < deadline) {
    for (let i = 0; i < 8; i++) {
      const r = op()
      if (r instanceof Promise) await r
      ops++
    }
    now = performance.now()
  }
  return { ops, elapsed: now - start }
}

export async function measure(name: string, op: Operation, options: MeasureOptions = {}): Promise<Sample> {
  const { warmupMs = 400, sampleMs = 300, samples = 5 } = options
  await runFor(op, warmupMs)
  const rates: number[] = []
  for (let i = 0; i < samples; i++) {
    const { ops, elapsed } = await runFor(op, sampleMs)
    rates.push((ops * 1000) / elapsed)
  }
  const sorted = [...rates].sort((a, b) => a - b)
  return { name, median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: rates }
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
