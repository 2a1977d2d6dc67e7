// The replay cache's set of keys with an expiry each: ExpiryMap's behaviour for the case where the
// value is always `true`, without a slot object and a heap item per key. A replay cache keeps one
// key for every proof it has seen until the proof expires, so every object per key is retained,
// promoted by the garbage collector and scanned again and again; here a key costs its string, one
// Map entry holding a number, and two array slots in a binary min-heap kept as parallel arrays
// (expiry times stay unboxed doubles in the array, no object per item). Times are stored relative
// to the set's creation so that they usually fit V8's small integers.

/** Most heap items popped by one sweep; the rest waits for later writes (bounded work per call). */
const SWEEP_BUDGET = 1024

export class ExpirySet {
  readonly #at = new Map<string, number>()
  readonly #heapAt: number[] = []
  readonly #heapKey: string[] = []
  readonly #base: number

  constructor(baseMs: number) {
    this.#base = baseMs
  }

  get size(): number {
    return this.#at.size
  }

  /** Whether `key` is held and live at `nowMs` (live while `nowMs < at`). */
  has(key: string, nowMs: number): boolean {
    const at = this.#at.get(key)
    return at !== undefined && nowMs - this.#base < at
  }

  /** Holds `key` until `atMs` (replacing an earlier expiry). */
  add(key: string, atMs: number): void {
    if (this.#at.get(key) === atMs - this.#base) return
    this.insert(key, atMs)
  }

  /**
   * Holds `key` until `atMs`, for a caller that knows the key is absent or held with another
   * expiry (one Map lookup fewer than {@link add}).
   */
  insert(key: string, atMs: number): void {
    const at = atMs - this.#base
    this.#at.set(key, at)
    this.#push(at, key)
    // Re-adds leave stale heap items behind; rebuild when they outnumber live ones.
    if (this.#heapAt.length > 2 * this.#at.size + 1024) this.#rebuild()
  }

  delete(key: string): boolean {
    return this.#at.delete(key)
  }

  /** Removes expired keys, at most `budget` heap items per call. True when nothing expired is left. */
  sweep(nowMs: number, budget: number = SWEEP_BUDGET): boolean {
    const now = nowMs - this.#base
    const heapAt = this.#heapAt
    while (heapAt.length > 0 && heapAt[0]! <= now) {
      if (budget-- <= 0) return false
      const at = heapAt[0]!
      const key = this.#pop()
      // Only delete when the set still holds the key with the expiry this item was pushed for.
      if (this.#at.get(key) === at) this.#at.delete(key)
    }
    return true
  }

  #rebuild(): void {
    this.#heapAt.length = 0
    this.#heapKey.length = 0
    for (const [key, at] of this.#at) this.#push(at, key)
  }

  #push(at: number, key: string): void {
    const heapAt = this.#heapAt
    const heapKey = this.#heapKey
    let i = heapAt.length
    heapAt.push(at)
    heapKey.push(key)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heapAt[parent]! <= at) break
      heapAt[i] = heapAt[parent]!
      heapKey[i] = heapKey[parent]!
      i = parent
    }
    heapAt[i] = at
    heapKey[i] = key
  }

  /** Removes the earliest item and returns its key. */
  #pop(): string {
    const heapAt = this.#heapAt
    const heapKey = this.#heapKey
    const top = heapKey[0]!
    const lastAt = heapAt.pop()!
    const lastKey = heapKey.pop()!
    const n = heapAt.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && heapAt[r]! < heapAt[l]! ? r : l
        if (heapAt[c]! >= lastAt) break
        heapAt[i] = heapAt[c]!
        heapKey[i] = heapKey[c]!
        i = c
      }
      heapAt[i] = lastAt
      heapKey[i] = lastKey
    }
    return top
  }
}
