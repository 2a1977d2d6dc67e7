// Medians over repetitions, ratios of medians, the markdown table and the JSON written to
// bench/results/http.json.
import type { Alg, Variant } from './config.js'

export interface RunRecord {
  readonly rep: number
  readonly variant: Variant
  readonly alg: Alg
  readonly rps: number
  /** Latency percentiles, milliseconds. */
  readonly p50: number
  readonly p99: number
  readonly requests: number
  readonly warmupRequests: number
  readonly seconds: number
  /** Server CPU time per answered request, microseconds (from /proc). */
  readonly serverCpuUs: number
  /** Share of one core the server used during the run, and the client likewise. */
  readonly serverCpu: number
  readonly clientCpu: number
  /** Share of a core other processes took from core 0 or 1 (the larger) during the run. */
  readonly foreignCpu: number
}

export interface Row {
  readonly label: string
  readonly variant: Variant
  readonly alg: Alg
  readonly rps: number
  readonly rpsMin: number
  readonly rpsMax: number
  readonly p50: number
  readonly p99: number
  readonly serverCpu: number
  readonly clientCpu: number
  /** Largest foreign CPU share seen in this variant's runs. */
  readonly foreignCpu: number
  readonly serverCpuUs: number
  /** Ratios of medians. */
  readonly vsPlain: number
  readonly vsJose: number | undefined
  /** Ratio of median server CPU µs per request, jose-composed / this (less sensitive to contention). */
  readonly vsJoseCpu: number | undefined
  /** 1e6/rps − 1e6/rps(plain), from the medians: µs of one core added per request. */
  readonly addedUs: number
}

export const LABELS: Readonly<Record<Variant, string>> = {
  plain: 'node:http, no verification',
  adapter: 'createNodeHandler, no-op verifier (adapter only)',
  wpt: 'agentauth verifying server, WPT',
  'wpt-direct': 'agentauth verifyIncomingMessage + res.end, WPT',
  'httpsig-direct': 'agentauth verifyIncomingMessage + res.end, HTTP signature',
  httpsig: 'agentauth verifying server, HTTP signature',
  jose: 'WIT + WPT composed from jose calls',
}

const CLEAN = 0.1

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  if (n === 0) return Number.NaN
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2
}

function pick(runs: readonly RunRecord[], variant: Variant, alg: Alg): { all: RunRecord[]; used: RunRecord[] } {
  // Uncontended runs when there are any (other processes below 10% of a core), else all.
  const all = runs.filter((r) => r.variant === variant && r.alg === alg)
  const clean = all.filter((r) => r.foreignCpu <= CLEAN)
  return { all, used: clean.length > 0 ? clean : all }
}

/**
 * One row per variant and algorithm: medians over its runs (the uncontended ones when there are
 * any); ratios are ratios of those medians (the runs are interleaved, so each median spans the
 * same stretch of time).
 */
export function summarise(runs: readonly RunRecord[]): Row[] {
  const rows: Row[] = []
  const keys = [...new Set(runs.map((r) => `${r.variant}|${r.alg}`))]
  const plainRuns = runs.find((r) => r.variant === 'plain')
  const plain = plainRuns === undefined ? undefined : pick(runs, 'plain', plainRuns.alg).used
  const plainRps = plain === undefined ? Number.NaN : median(plain.map((r) => r.rps))
  for (const key of keys) {
    const [variant, alg] = key.split('|') as [Variant, Alg]
    const { all, used } = pick(runs, variant, alg)
    const jose = variant === 'plain' || variant === 'adapter' ? [] : pick(runs, 'jose', alg).used
    const rps = used.map((r) => r.rps)
    const m = median(rps)
    const cpuUs = median(used.map((r) => r.serverCpuUs))
    rows.push({
      label: `${LABELS[variant]}${variant === 'plain' || variant === 'adapter' ? '' : `, ${alg}`}${used.length < all.length ? ` (${used.length} of ${all.length} runs uncontended)` : ''}`,
      variant, alg,
      rps: m, rpsMin: Math.min(...rps), rpsMax: Math.max(...rps),
      p50: median(used.map((r) => r.p50)), p99: median(used.map((r) => r.p99)),
      serverCpu: median(used.map((r) => r.serverCpu)), clientCpu: median(used.map((r) => r.clientCpu)),
      foreignCpu: Math.max(...used.map((r) => r.foreignCpu)),
      serverCpuUs: cpuUs,
      vsPlain: m / plainRps,
      vsJose: jose.length > 0 ? m / median(jose.map((r) => r.rps)) : undefined,
      vsJoseCpu: jose.length > 0 ? median(jose.map((r) => r.serverCpuUs)) / cpuUs : undefined,
      addedUs: 1e6 / m - 1e6 / plainRps,
    })
  }
  return rows
}

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const fix = (n: number | undefined, d = 2) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(d))

export function table(rows: readonly Row[]): string {
  const lines = [
    '| server | req/s (median) | min–max | p50 ms | p99 ms | × unverified | × jose-composed | added µs/req | server CPU µs/req | × jose by CPU/req | server / client CPU | other processes CPU (max) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const r of rows) {
    lines.push(`| ${r.label} | ${int(r.rps)} | ${int(r.rpsMin)}–${int(r.rpsMax)} | ${fix(r.p50, 1)} | ${fix(r.p99, 1)} | ${fix(r.vsPlain)} | ${fix(r.vsJose)} | ${r.variant === 'plain' ? '—' : int(r.addedUs)} | ${fix(r.serverCpuUs, 1)} | ${fix(r.vsJoseCpu)} | ${int(r.serverCpu * 100)}% / ${int(r.clientCpu * 100)}% | ${int(r.foreignCpu * 100)}% |`)
  }
  return lines.join('\n')
}
