// Floor experiment (not part of `npm run bench`): how close to one raw verification can a cached-WIT
// WPT verifier get on this machine? Runs, in one process and interleaved with the raw node:crypto
// reference (rotated order, CPU time):
//   - `verifyRequest` WPT ES256 with nodeCrypto() (the server suite's case), and
//   - a deliberately minimal verifier over the same kind of request pool: header iteration, a Map
//     as WIT cache, the header parsed once, payload base64url + UTF-8 + JSON.parse, one
//     node:crypto verify, aud/exp/jti/wth compared inline, a Map as replay cache, a frozen result.
// The minimal one skips most of what verifyRequest checks (typ variants, nbf, iss, WIT expiry,
// ath/tth/oth/htm bindings, claim shapes, replay expiry, authorisation, the deep-frozen result), so
// it is a floor, not a competitor: the gap between the two is the price of the complete checks.
//   BENCH_POOL=30000 taskset -c 0 node --import tsx bench/floor.ts [ops/round] [rounds]
import { interleaveAgainst, type BenchSuite, type InterleavedVariant } from './lib.js'
import { minimalVerifier } from './minimal-verifier.js'
import { referenceOperations } from './reference.js'

const [opsArg, roundsArg] = process.argv.slice(2)
const perRound = Number(opsArg ?? 800)
const rounds = Number(roundsArg ?? 12)
const POOL = Number(process.env.BENCH_POOL ?? 30_000)

const suite = ((await import('./suites/server.js')) as { default: BenchSuite }).default
const ours = suite.cases.find((c) => c.name.includes('WPT ES256, cached WIT (nodeCrypto'))
if (ours === undefined) throw new Error('server suite case not found')
const variants: InterleavedVariant[] = [
  { name: 'minimal WPT verifier (floor)', op: await minimalVerifier(POOL), ratios: [] },
  { name: ours.name, op: await ours.setup(), ratios: [] },
]
const ref = (await referenceOperations('ES256')).node
await interleaveAgainst(ref, variants, perRound, rounds)
