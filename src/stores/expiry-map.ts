// A Map with per-entry expiry and a binary min-heap of (expiresAtMs, key) so expired entries are
// swept in amortised O(log n) per write: each heap item is pushed once and popped once. Used by
// both memory stores. Heap items for keys that were overwritten are recognised as stale on pop.

interface Item {
  at: number
  key: string
}

/** Most heap items popped by one sweep; the rest waits for later writes (bounded work per call). */
const SWEEP_BUDGET = 1024

export class ExpiryMap<V> {
  readonly #values = new Map<string, { at: number; value: V }>()
  readonly #heap: Item[] = []

  get size(): number {
    return this.#values.size
  }

  /** The value when present and live at `nowMs` (live while `nowMs < at`). */
  get(key: string, nowMs: number): V | undefined {
    const slot = this.#values.get(key)
    return slot !== undefined && nowMs < slot.at ? slot.value : undefined
  }

  set(key: string, value: V, atMs: number): void {
    const slot = this.#values.get(key)
    if (slot !== undefined && slot.at === atMs) {
      slot.value = value
      return
    }
    this.#values.set(key, { at: atMs, value })
    this.#push({ at: atMs, key })
    // Overwrites leave stale heap items behind; rebuild when they outnumber live ones.
    if (this.#heap.length > 2 * this.#values.size + 1024) this.#rebuild()
  }

  /** Forgets `key` now. Its heap item stays behind and is recognised as stale when popped. */
  delete(key: string): boolean {
    return this.#values.delete(key)
  }

  /** Removes expired entries, at most `budget` heap items per call. True when nothing expired is left. */
  sweep(nowMs: number, budget: number = SWEEP_BUDGET): boolean {
    const heap = this.#heap
    while (heap.length > 0 && heap[0]!.at <= nowMs) {
      if (budget-- <= 0) return false
      const item = this.#pop()
      const slot = this.#values.get(item.key)
      // Only delete when the map still holds the entry this item was pushed for.
      if (slot !== undefined && slot.at === item.at) this.#values.delete(item.key)
    }
    return true
  }

  *entries(nowMs: number): Generator<[string, V]> {
    for (const [key, slot] of this.#values) if (nowMs < slot.at) yield [key, slot.value]
  }

  #rebuild(): void {
    this.#heap.length = 0
    for (const [key, slot] of this.#values) this.#push({ at: slot.at, key })
  }

  #push(item: Item): void {
    const heap = this.#heap
    heap.push(item)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent]!.at <= item.at) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = item
  }

  #pop(): Item {
    const heap = this.#heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      let i = 0
      const n = heap.length
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && heap[r]!.at < heap[l]!.at ? r : l
        if (heap[c]!.at >= last.at) break
        heap[i] = heap[c]!
        i = c
      }
      heap[i] = last
    }
    return top
  }
}
