import { setTimeout as sleep } from 'node:timers/promises';
import { probeHttp } from '@shop/local-stack';

/** Consecutive failed checks that take an instance out, as the ALB's unhealthy threshold (2). */
const unhealthyThreshold = 2;

/**
 * What the ALB does for a target group, on the client side: polls each instance's `/readyz` and
 * hands out only healthy instances, round robin. An instance that starts draining (readiness fails
 * at once on SIGTERM) gets no new requests two polls later, while the drain delay keeps it serving
 * what was already sent to it. When a slow dependency fails every check for a moment, requests go
 * to the instances with the fewest failed checks in a row, rather than to one draining or gone.
 */
export class ReadinessBalancer {
  private readonly ready = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly passedAt = new Map<string, number>();
  private next = 0;
  private running = true;
  private readonly polling: Promise<void>;

  constructor(
    private readonly instances: string[],
    private readonly intervalMs = 100,
  ) {
    this.polling = this.poll();
  }

  /** A healthy instance's base URL (the caller retries when it fails). */
  pick(): string {
    const healthy = this.instances.filter((instance) => this.ready.has(instance));
    const fewest = Math.min(...this.instances.map((instance) => this.failures.get(instance) ?? 0));
    const ready =
      healthy.length > 0 ? healthy : this.instances.filter((instance) => (this.failures.get(instance) ?? 0) === fewest);
    this.next += 1;
    return ready[this.next % Math.max(ready.length, 1)] ?? (this.instances[0] as string);
  }

  /** Resolves once every instance has passed a check since this call (not necessarily the same one). */
  async allReady(timeoutMs = 60_000): Promise<void> {
    const since = Date.now();
    const deadline = since + timeoutMs;
    while (this.instances.some((instance) => (this.passedAt.get(instance) ?? 0) < since)) {
      if (Date.now() > deadline) throw new Error(`instances not ready: ${this.instances.join(', ')}`);
      await sleep(this.intervalMs);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.polling;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      await Promise.all(
        this.instances.map(async (instance) => {
          const status = await probeHttp(`${instance}/readyz`, 1_000).then(
            (result) => result.status,
            () => 0,
          );
          const failures = status === 200 ? 0 : (this.failures.get(instance) ?? 0) + 1;
          this.failures.set(instance, failures);
          if (failures === 0) {
            this.ready.add(instance);
            this.passedAt.set(instance, Date.now());
          } else if (failures >= unhealthyThreshold) this.ready.delete(instance);
        }),
      );
      await sleep(this.intervalMs);
    }
  }
}
