// Differential (review round 8): the PKIX part of X.509-SVID path validation against OpenSSL's
// `openssl verify -x509_strict` on generated chains (expired certificates, pathLen, keyUsage, cA,
// EKU, name constraints). Where OpenSSL decides a PKIX rule, both must agree; SPIFFE's own rules
// (one URI SAN, SPIFFE ID syntax) make agentauth stricter on purpose. Fails, never skips, without
// an `openssl` binary.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { staticX509Bundles, verifyX509SVID } from '../../src/x509/index.js'
import { CA_KU, clock, issue, KU, LEAF_KU, NOW, x509, type Issued, type IssueOptions } from '../helpers/x509.js'

const DAY = 86_400_000
function openssl(root: Issued, inters: Issued[], leaf: Issued): string {
  const dir = mkdtempSync(join(tmpdir(), 'r8-'))
  writeFileSync(join(dir, 'root.pem'), root.pem)
  writeFileSync(join(dir, 'inter.pem'), inters.map((i) => i.pem).join('\n') || root.pem)
  writeFileSync(join(dir, 'leaf.pem'), leaf.pem)
  try {
    execFileSync('openssl', ['verify', '-x509_strict', '-attime', String(Math.floor(NOW / 1000)), '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'inter.pem'), join(dir, 'leaf.pem')], { stdio: 'pipe' })
    return 'ok'
  } catch (e) {
    return 'FAIL ' + String((e as { stderr: Buffer }).stderr).split('\n').filter((l) => l.startsWith('error')).join(' | ').slice(0, 120)
  }
}
async function ours(td: string, root: Issued, inters: Issued[], leaf: Issued, profile: 'spiffe' | 'any' = 'spiffe'): Promise<string> {
  return verifyX509SVID([leaf.der, ...inters.map((i) => i.der)], { bundles: staticX509Bundles({ [td]: root.der }), clock, profile }).then(() => 'ok', (e) => `FAIL ${e.code} ${e.reason ?? e.message}`.slice(0, 140))
}
const rootOpts = (o: IssueOptions = {}): IssueOptions => ({ subject: 'CN=root', uris: ['spiffe://example.org'], ca: true, keyUsage: CA_KU, notBefore: new Date(NOW - 10 * DAY), notAfter: new Date(NOW + 10 * DAY), ...o })
const eku = (...oids: string[]) => new x509.ExtendedKeyUsageExtension(oids, false)

it('agrees with openssl verify on every PKIX rule and is stricter only on SPIFFE rules', async () => {
  const cases: Array<[string, () => Promise<[string, Issued, Issued[], Issued, ('spiffe' | 'any')?]>]> = [
    ['valid', async () => { const r = await issue(rootOpts()); const i = await issue({ subject: 'CN=i', issuer: r, ca: true, keyUsage: CA_KU, uris: ['spiffe://example.org'] }); return ['example.org', r, [i], await issue({ issuer: i, uris: ['spiffe://example.org/w'] })] }],
    ['expired inter', async () => { const r = await issue(rootOpts()); const i = await issue({ subject: 'CN=i', issuer: r, ca: true, keyUsage: CA_KU, notAfter: new Date(NOW - 1000) }); return ['example.org', r, [i], await issue({ issuer: i, uris: ['spiffe://example.org/w'] })] }],
    ['pathLen0 root + inter', async () => { const r = await issue(rootOpts({ pathLen: 0 })); const i = await issue({ subject: 'CN=i', issuer: r, ca: true, keyUsage: CA_KU }); return ['example.org', r, [i], await issue({ issuer: i, uris: ['spiffe://example.org/w'] })] }],
    ['pathLen0 inter + selfissued inter', async () => { const r = await issue(rootOpts({ pathLen: 1 })); const i = await issue({ subject: 'CN=i', issuer: r, ca: true, keyUsage: CA_KU, pathLen: 0 }); const i2 = await issue({ subject: 'CN=i', issuer: i, ca: true, keyUsage: CA_KU }); return ['example.org', r, [i2, i], await issue({ issuer: i2, uris: ['spiffe://example.org/w'] })] }],
    ['inter no keyCertSign', async () => { const r = await issue(rootOpts()); const i = await issue({ subject: 'CN=i', issuer: r, ca: true, keyUsage: KU.digitalSignature }); return ['example.org', r, [i], await issue({ issuer: i, uris: ['spiffe://example.org/w'] })] }],
    ['inter no KU', async () => { const r = await issue(rootOpts()); const i = await issue({ subject: 'CN=i', issuer: r, ca: true, keyUsage: null }); return ['example.org', r, [i], await issue({ issuer: i, uris: ['spiffe://example.org/w'] })] }],
    ['inter cA false', async () => { const r = await issue(rootOpts()); const i = await issue({ subject: 'CN=i', issuer: r, ca: false, keyUsage: CA_KU }); return ['example.org', r, [i], await issue({ issuer: i, uris: ['spiffe://example.org/w'] })] }],
    ['inter EKU serverAuth, leaf clientAuth', async () => { const r = await issue(rootOpts()); const i = await issue({ subject: 'CN=i', issuer: r, ca: true, keyUsage: CA_KU, extensions: [eku('1.3.6.1.5.5.7.3.1')] }); return ['example.org', r, [i], await issue({ issuer: i, uris: ['spiffe://example.org/w'], extensions: [eku('1.3.6.1.5.5.7.3.2')] })] }],
    ['leaf 2 URIs', async () => { const r = await issue(rootOpts()); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w', 'spiffe://example.org/x'] })] }],
    ['NC permitted ok', async () => { const r = await issue(rootOpts({ nameConstraints: { permitted: [{ type: 'uri', value: 'example.org' }] } })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'] })] }],
    ['NC permitted other', async () => { const r = await issue(rootOpts({ uris: [], nameConstraints: { permitted: [{ type: 'uri', value: 'example.org' }] } })); return ['evil.org', r, [], await issue({ issuer: r, uris: ['spiffe://evil.org/w'] })] }],
    ['NC permitted .example.org exact', async () => { const r = await issue(rootOpts({ uris: [], nameConstraints: { permitted: [{ type: 'uri', value: '.example.org' }] } })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'] })] }],
    ['NC permitted .example.org sub', async () => { const r = await issue(rootOpts({ uris: [], nameConstraints: { permitted: [{ type: 'uri', value: '.example.org' }] } })); return ['a.example.org', r, [], await issue({ issuer: r, uris: ['spiffe://a.example.org/w'] })] }],
    ['NC excluded', async () => { const r = await issue(rootOpts({ uris: [], nameConstraints: { excluded: [{ type: 'uri', value: 'example.org' }] } })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'] })] }],
    ['NC inter permitted, leaf wimse any', async () => { const r = await issue(rootOpts({ uris: [], nameConstraints: { permitted: [{ type: 'uri', value: 'example.org' }] } })); return ['example.org', r, [], await issue({ issuer: r, uris: ['wimse://example.org/w'] }), 'any'] }],
    ['NC dns permitted, leaf dns other', async () => { const r = await issue(rootOpts({ uris: [], nameConstraints: { permitted: [{ type: 'dns', value: 'example.org' }] } })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'], dns: ['a.other.org'] })] }],
    ['NC dns permitted, leaf dns sub', async () => { const r = await issue(rootOpts({ uris: [], nameConstraints: { permitted: [{ type: 'dns', value: 'example.org' }] } })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'], dns: ['a.example.org'] })] }],
    ['NC uri permitted, leaf no uri… dns only', async () => { const r = await issue(rootOpts({ uris: [], nameConstraints: { permitted: [{ type: 'uri', value: 'example.org' }] } })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'], dns: ['x.other.org'] })] }],
    ['upper SPIFFE', async () => { const r = await issue(rootOpts()); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://EXAMPLE.org/w'] })] }],
    ['pct SPIFFE', async () => { const r = await issue(rootOpts()); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/%41'] })] }],
    ['leaf nb future', async () => { const r = await issue(rootOpts()); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'], notBefore: new Date(NOW + 1000) })] }],
    ['root expired', async () => { const r = await issue(rootOpts({ notAfter: new Date(NOW - 1000) })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'] })] }],
    ['root not CA', async () => { const r = await issue(rootOpts({ ca: false })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'] })] }],
    ['root no BC', async () => { const r = await issue(rootOpts({ basicConstraints: false })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'] })] }],
    ['root KU no certsign', async () => { const r = await issue(rootOpts({ keyUsage: KU.digitalSignature })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'] })] }],
    ['root no KU', async () => { const r = await issue(rootOpts({ keyUsage: null })); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'] })] }],
    ['leaf KU certsign', async () => { const r = await issue(rootOpts()); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'], keyUsage: LEAF_KU | KU.keyCertSign })] }],
    ['leaf EKU codeSigning only', async () => { const r = await issue(rootOpts()); return ['example.org', r, [], await issue({ issuer: r, uris: ['spiffe://example.org/w'], extensions: [eku('1.3.6.1.5.5.7.3.3')] })] }],
  ]
  const seen = new Set<boolean>()
  for (const [name, make] of cases) {
    const [td, r, inters, leaf, profile] = await make()
    const mine = await ours(td, r, inters, leaf, profile)
    const theirs = openssl(r, inters, leaf)
    const verdicts = { name, ours: mine.startsWith('ok'), openssl: theirs === 'ok' }
    if (SPIFFE_ONLY.has(name)) expect(verdicts, `${name}: ${mine}`).toEqual({ name, ours: false, openssl: true })
    else expect(verdicts, `${name}: ${mine} / ${theirs}`).toEqual({ name, ours: verdicts.openssl, openssl: verdicts.openssl })
    seen.add(verdicts.openssl)
  }
  expect(seen).toEqual(new Set([true, false]))
}, 60_000)

// Rules of SPIFFE X509-SVID / SPIFFE-ID that OpenSSL does not know.
const SPIFFE_ONLY = new Set(['leaf 2 URIs', 'upper SPIFFE', 'pct SPIFFE'])
