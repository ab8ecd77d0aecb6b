/**
 * Answers kept for a short time per key, failures included: callers asking while a load is in
 * flight share it, and for `ttlMs` after it settles they get its outcome without a new load. So
 * however many callers poll, a key costs at most one load per `ttlMs`, even while the source is down.
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.value;
    for (const [other, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(other);
    const value = load();
    // In flight, the entry never expires; its time to live starts when it settles.
    const entry = { value, expiresAt: Number.POSITIVE_INFINITY };
    this.entries.set(key, entry);
    const settled = () => {
      entry.expiresAt = this.now() + this.ttlMs;
    };
    value.then(settled, settled);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
