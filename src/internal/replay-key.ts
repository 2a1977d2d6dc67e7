// Replay-cache keys. A key names the kind of proof, the sender it is scoped to and the proof's
// unique value. Senders (WIMSE identifiers, issuer URLs, client ids) and values (jti, nonces) may
// both contain ":", so the sender is length-prefixed: `wpt:21:wimse://example/a:b:c` and
// `wpt:23:wimse://example/a:b:c` are different keys, and no sender can make its proof collide with
// (and be refused as a replay of) another sender's.

/** `<kind>:<sender length>:<sender>:<value>`, unambiguous whatever the sender and value hold. */
export function replayKey(kind: string, sender: string, value: string): string {
  return `${kind}:${sender.length}:${sender}:${value}`
}
