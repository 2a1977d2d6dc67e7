// HTTP benchmark on loopback (method: ../shared/design/benchmarking.md, "HTTP"). Each server variant
// runs in its own process pinned to core 0; this process is the load generator (autocannon),
// pinned to core 1 while it measures. Every request of a verifying run carries a fresh proof from a
// pool signed beforehand; any non-2xx answer, error, timeout or a pool that runs dry aborts the run.
// Variants repeat ≥ 3 times, interleaved; the table shows medians and ratios of medians.
//
// The servers run the compiled package (dist/, built here first with tsconfig.build.json), as users
// run it; --src runs the TypeScript sources through tsx instead.
//
//   npx tsx bench/http.ts [--src] [--quick] [--eddsa] [--reps=N] [--duration=S] [--warmup=S] [--connections=N]
//                         [--quiet-wait=S] [--contention-retries=N] [--variants=wpt,jose,…]
//                         [--profile | --profile-only]
//
// These machines are shared: before each run the benchmark waits (up to --quiet-wait s) until
// other processes leave both cores alone, and repeats (up to --contention-retries times) a run
// during which they took more than 10% of a core. Medians use the uncontended runs when there are
// any; the table shows the largest share other processes took during the runs it summarises.
//
// --profile adds (--profile-only runs only) one run of each verifying variant with `node --cpu-prof` on the server and prints
// where its CPU time goes (profiles kept in bench/results/http-profile/).
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Alg, ServerConfig, Variant } from './http/config.js'
import { proofOf } from './http/config.js'
import { checkVerifies, runLoad } from './http/load.js'
import { createFixture, PoolSigner, type Fixture, type ProofPool } from './http/pool.js'
import { summariseProfiles } from './http/profile.js'
import { summarise, table, type RunRecord } from './http/report.js'
import { coreBusySeconds, cpuSeconds, PINNING, pinSelf, startServer, waitForQuiet } from './http/server-process.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const args = process.argv.slice(2)
const flag = (name: string) => args.includes(`--${name}`)
const num = (name: string, dflt: number) => {
  const a = args.find((x) => x.startsWith(`--${name}=`))
  const v = a === undefined ? dflt : Number(a.slice(name.length + 3))
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`)
  return v
}
const quick = flag('quick')
const seconds = num('duration', quick ? 3 : 10)
const warmup = num('warmup', quick ? 1 : 2)
const reps = num('reps', 3)
const connections = num('connections', 16)
const algs: Alg[] = flag('eddsa') ? ['ES256', 'EdDSA'] : ['ES256']
const LIFETIME = 240
/** A run during which other processes took more than this share of core 0 or 1 is repeated … */
const MAX_FOREIGN = 0.1
/** … at most this many times (then kept, and its foreign CPU shown in the table). */
const MAX_CONTENDED_RETRIES = num('contention-retries', 3)
/** Before each run, wait up to this long for other processes to leave the cores alone. */
const QUIET_WAIT = num('quiet-wait', 300)

/** Upper bound on what one core can verify: one raw node:crypto verification per request. */
function rawVerifyRate(alg: Alg): number {
  const { privateKey, publicKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519')
  const data = new Uint8Array(300).fill(7)
  const hash = alg === 'ES256' ? 'sha256' : null
  const sig = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  const once = (k: KeyObject) => verify(hash, data, { key: k, dsaEncoding: 'ieee-p1363' }, sig)
  for (let end = performance.now() + 100; performance.now() < end;) once(publicKey)
  let n = 0
  const start = performance.now()
  while (performance.now() - start < 300) { once(publicKey); n++ }
  return (n * 1000) / (performance.now() - start)
}

interface Plan { readonly variant: Variant; readonly alg: Alg }
const only = args.find((a) => a.startsWith('--variants='))?.slice('--variants='.length).split(',')
const plans: Plan[] = [
  { variant: 'plain' as const, alg: 'ES256' as const },
  { variant: 'adapter' as const, alg: 'ES256' as const },
  ...algs.flatMap((alg) => (['wpt', 'wpt-direct', 'httpsig', 'httpsig-direct', 'jose'] as const).map((variant) => ({ variant, alg }))),
].filter((p) => only === undefined || only.includes(p.variant))
if (plans.length === 0) throw new Error('--variants selects nothing (plain, adapter, wpt, wpt-direct, httpsig, httpsig-direct, jose)')

const target = flag('src') ? 'src' : 'dist'
process.env.BENCH_HTTP_TARGET = target
if (target === 'dist') {
  console.error('building dist/ (tsc -p tsconfig.build.json) …')
  execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' })
}
pinSelf('1')
const rawRate = new Map(algs.map((alg) => [alg, rawVerifyRate(alg)] as const))
pinSelf('0,1')
const fixtures = new Map<Alg, Fixture>()
for (const alg of algs) fixtures.set(alg, await createFixture(alg))
const signer = new PoolSigner()
const headerPool = await signer.sign(fixtures.get('ES256')!, 'wpt', 1, LIFETIME)
const observed = new Map<string, number>()

async function runOnce(plan: Plan, rep: number, profileDir?: string): Promise<RunRecord> {
  const { variant, alg } = plan
  const fixture = fixtures.get(alg)!
  const verifying = variant !== 'plain' && variant !== 'adapter'
  const seen = observed.get(`${variant}|${alg}`)
  const base = Math.min(rawRate.get(alg)!, seen === undefined ? Infinity : seen * 1.5)
  let contended = 0
  for (let attempt = 0; ; attempt++) {
    const bound = base * 2 ** attempt
    // Wait first, then sign: the proofs must not age (they expire) while we wait.
    let waited = 0
    await waitForQuiet(MAX_FOREIGN, QUIET_WAIT, (share) => {
      if (waited++ % 10 === 0) console.error(`  ${variant} ${alg}: waiting for other processes to leave the cores (${Math.round(share * 100)}% of a core busy)`)
    })
    let pool: ProofPool = headerPool
    if (verifying) {
      pinSelf('0,1') // sign on both cores while no server runs
      pool = await signer.sign(fixture, proofOf(variant), Math.ceil(bound * (warmup + seconds) * 1.25) + 4 * connections, LIFETIME)
    }
    const replayEntries = pool.entries.length + 1000
    const config: ServerConfig = { variant, issuerJwk: fixture.issuerJwk, replayEntries }
    if (profileDir !== undefined) {
      // Keep only the profile of the attempt that counts.
      rmSync(profileDir, { recursive: true, force: true })
      mkdirSync(profileDir, { recursive: true })
    }
    const server = await startServer(config, { cpu: '0', ...(profileDir ? { profileDir } : {}) })
    pinSelf('1')
    try {
      const load = { port: server.port, connections, fixture, pool, fixed: !verifying }
      const first = verifying ? await checkVerifies(server.port, fixture, pool) : 0
      const warm = await runLoad({ ...load, seconds: warmup, start: first })
      const cpu0 = cpuSeconds(server.pid)
      const core0 = [coreBusySeconds(0), coreBusySeconds(1)]
      const client0 = process.cpuUsage()
      const t0 = performance.now()
      const run = await runLoad({ ...load, seconds, start: first + warm.used })
      const wall = (performance.now() - t0) / 1000
      const cpu = cpuSeconds(server.pid) - cpu0
      const clientCpu = process.cpuUsage(client0)
      const clientSeconds = (clientCpu.user + clientCpu.system) / 1e6
      // CPU other processes took from our two cores during the run (another benchmark, a test run).
      const foreign = Math.max(0, coreBusySeconds(0) - core0[0]! - cpu, coreBusySeconds(1) - core0[1]! - clientSeconds) / wall
      if (warm.exhausted || run.exhausted) {
        console.error(`  ${variant} ${alg}: proof pool (${pool.entries.length}) ran dry; retrying with a larger pool`)
        if (attempt < 3) continue
        throw new Error('proof pool keeps running dry')
      }
      for (const [phase, r] of [['warm-up', warm.result], ['run', run.result]] as const) {
        if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0 || r.mismatches > 0) {
          throw new Error(`${variant} ${alg} ${phase}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts — a failing run is never timed\n${server.stderr()}`)
        }
      }
      if (foreign > MAX_FOREIGN && contended < MAX_CONTENDED_RETRIES) {
        contended++
        console.error(`  ${variant} ${alg}: other processes used ${Math.round(foreign * 100)}% of a core during the run; repeating it`)
        attempt--
        continue
      }
      const r = run.result
      const rps = r.requests.total / r.duration
      observed.set(`${variant}|${alg}`, Math.max(rps, observed.get(`${variant}|${alg}`) ?? 0))
      return {
        rep, variant, alg, rps, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, warmupRequests: warm.result.requests.total, seconds: r.duration,
        serverCpuUs: (cpu * 1e6) / r.requests.total, serverCpu: cpu / wall, clientCpu: clientSeconds / wall, foreignCpu: foreign,
      }
    } finally {
      await server.stop()
    }
  }
}

const runs: RunRecord[] = []
for (let rep = 0; rep < (flag('profile-only') ? 0 : reps); rep++) {
  // Interleave: every variant once per repetition, starting one further each time.
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[(i + rep) % plans.length]!
    const rec = await runOnce(plan, rep)
    runs.push(rec)
    console.error(`rep ${rep + 1}/${reps} ${plan.variant} ${plan.alg}: ${Math.round(rec.rps)} req/s, p99 ${rec.p99} ms, server ${Math.round(rec.serverCpu * 100)}% CPU, ${rec.serverCpuUs.toFixed(0)} µs CPU/req, others ${Math.round(rec.foreignCpu * 100)}%`)
  }
}

let profile: string | undefined
if (flag('profile') || flag('profile-only')) {
  const dir = `${here}results/http-profile`
  rmSync(dir, { recursive: true, force: true })
  const cpuUs = new Map<string, number>()
  for (const plan of plans) {
    const name = `${plan.variant}-${plan.alg}`
    mkdirSync(`${dir}/${name}`, { recursive: true })
    const rec = await runOnce(plan, -1, `${dir}/${name}`)
    cpuUs.set(name, rec.serverCpuUs)
    console.error(`profiled ${name}: ${Math.round(rec.rps)} req/s, ${rec.serverCpuUs.toFixed(1)} µs CPU per request`)
  }
  profile = summariseProfiles(dir, cpuUs)
}
await signer.close()
pinSelf('0,1')

const rows = summarise(runs)
const header = `node ${process.version}, ${reps} repetition(s), ${connections} connections, ${warmup} s warm-up + ${seconds} s per run` +
  `${PINNING ? ', server on core 0, autocannon on core 1' : ', NOT PINNED (taskset missing)'}, servers run ${target === 'dist' ? 'the compiled package (dist/)' : 'src/ through tsx'}${quick ? ', QUICK' : ''}`
console.log(`${header}\n\n${table(rows)}`)
const targets = rows.filter((r) => r.vsJose !== undefined && r.variant !== 'jose').map((r) => `${r.label}: ${r.vsJose!.toFixed(2)}× jose-composed (target ≥ 3×: ${r.vsJose! >= 3 ? 'met' : 'NOT met'})`)
console.log(`\n${targets.join('\n')}`)
if (profile !== undefined) console.log(`\n${profile}`)
mkdirSync(`${here}results`, { recursive: true })
function git(...argv: string[]): string {
  try { return execFileSync('git', argv, { cwd: here, encoding: 'utf8' }).trim() } catch { return 'unknown' }
}
writeFileSync(`${here}results/http.json`, JSON.stringify({
  node: process.version,
  // What was measured: the commit, and whether src/ had uncommitted changes at the time.
  target, commit: git('rev-parse', 'HEAD'), srcDirty: git('status', '--porcelain', '--', 'src').length > 0, date: new Date().toISOString(), quick, reps, connections, warmupSeconds: warmup, seconds, pinned: PINNING,
  rawVerifyOpsPerSecond: Object.fromEntries(rawRate), rows, runs,
}, null, 2) + '\n')
