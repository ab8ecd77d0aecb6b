/**
 * Runs `work(key)` at most once at a time per key. A call while a round runs joins the one round
 * queued behind it, so any number of calls during a round cost one more round, and every caller
 * is answered by a round that began after its call.
 */
export class KeyedRounds {
  private readonly rounds = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

  constructor(private readonly work: (key: string) => Promise<void>) {}

  run(key: string): Promise<void> {
    const current = this.rounds.get(key);
    if (!current) {
      const running = this.work(key).finally(() => this.advance(key));
      this.rounds.set(key, { running });
      return running;
    }
    current.next ??= current.running.then(
      () => this.work(key),
      () => this.work(key),
    );
    return current.next;
  }

  /** Resolves once no round is running or queued (e.g. before a process exits). */
  async idle(): Promise<void> {
    while (this.rounds.size > 0) {
      await Promise.allSettled([...this.rounds.values()].map((round) => round.next ?? round.running));
    }
  }

  /** Keys with a round running or queued. */
  get size(): number {
    return this.rounds.size;
  }

  private advance(key: string): void {
    const current = this.rounds.get(key);
    if (!current?.next) {
      this.rounds.delete(key);
      return;
    }
    const running = current.next.finally(() => this.advance(key));
    // Whoever queued this round was handed `current.next` and handles its failure; this copy only
    // sequences rounds and must not surface the same failure again as an unhandled rejection.
    running.catch(() => {});
    this.rounds.set(key, { running });
  }
}
