// Medians over repetitions, same-run ratios, the markdown table and the JSON written to
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
  /** Same-repetition ratios (median over repetitions). */
  readonly vsPlain: number
  readonly vsJose: number | undefined
  /** Same-repetition ratio of server CPU µs per request, jose-composed / this (contention-robust). */
  readonly vsJoseCpu: number | undefined
  /** 1e6/rps − 1e6/rps(plain), same repetition, median: µs of one core added per request. */
  readonly addedUs: number
}

export const LABELS: Readonly<Record<Variant, string>> = {
  plain: 'node:http, no verification',
  adapter: 'createNodeHandler, no-op verifier (adapter only)',
  wpt: 'agentauth verifying server, WPT',
  'wpt-direct': 'agentauth verifyIncomingMessage + res.end, WPT',
  httpsig: 'agentauth verifying server, HTTP signature',
  jose: 'WIT + WPT composed from jose calls',
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  if (n === 0) return Number.NaN
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2
}

export function summarise(runs: readonly RunRecord[]): Row[] {
  const rows: Row[] = []
  const keys = [...new Set(runs.map((r) => `${r.variant}|${r.alg}`))]
  for (const key of keys) {
    const [variant, alg] = key.split('|') as [Variant, Alg]
    const mine = runs.filter((r) => r.variant === variant && r.alg === alg)
    const sameRep = (v: Variant, a: Alg, rep: number) => runs.find((r) => r.variant === v && r.alg === a && r.rep === rep)
    const vsPlain: number[] = []
    const vsJose: number[] = []
    const vsJoseCpu: number[] = []
    const added: number[] = []
    for (const r of mine) {
      const plain = runs.find((p) => p.variant === 'plain' && p.rep === r.rep)
      if (plain) {
        vsPlain.push(r.rps / plain.rps)
        added.push(1e6 / r.rps - 1e6 / plain.rps)
      }
      const jose = sameRep('jose', alg, r.rep)
      if (jose && variant !== 'plain' && variant !== 'adapter') {
        vsJose.push(r.rps / jose.rps)
        vsJoseCpu.push(jose.serverCpuUs / r.serverCpuUs)
      }
    }
    const rps = mine.map((r) => r.rps)
    rows.push({
      label: `${LABELS[variant]}${variant === 'plain' || variant === 'adapter' ? '' : `, ${alg}`}`,
      variant, alg,
      rps: median(rps), rpsMin: Math.min(...rps), rpsMax: Math.max(...rps),
      p50: median(mine.map((r) => r.p50)), p99: median(mine.map((r) => r.p99)),
      serverCpu: median(mine.map((r) => r.serverCpu)), clientCpu: median(mine.map((r) => r.clientCpu)),
      foreignCpu: Math.max(...mine.map((r) => r.foreignCpu)),
      serverCpuUs: median(mine.map((r) => r.serverCpuUs)),
      vsPlain: median(vsPlain), vsJose: vsJose.length > 0 ? median(vsJose) : undefined,
      vsJoseCpu: vsJoseCpu.length > 0 ? median(vsJoseCpu) : undefined, addedUs: median(added),
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
