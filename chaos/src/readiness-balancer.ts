import { setTimeout as sleep } from 'node:timers/promises';
import { probeHttp } from '@shop/local-stack';

/**
 * What the ALB does for a target group, on the client side: polls each instance's `/readyz` and
 * hands out only instances whose last check passed, round robin. An instance that starts draining
 * (readiness fails at once on SIGTERM) gets no new requests from the next poll on, while the
 * drain delay keeps it serving what was already sent to it.
 */
export class ReadinessBalancer {
  private readonly ready = new Set<string>();
  private next = 0;
  private running = true;
  private readonly polling: Promise<void>;

  constructor(
    private readonly instances: string[],
    private readonly intervalMs = 100,
  ) {
    this.polling = this.poll();
  }

  /** A ready instance's base URL; the first instance when none is ready (the caller retries). */
  pick(): string {
    const ready = this.instances.filter((instance) => this.ready.has(instance));
    this.next += 1;
    return ready[this.next % Math.max(ready.length, 1)] ?? (this.instances[0] as string);
  }

  /** Resolves once every instance has passed a check. */
  async allReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.ready.size < this.instances.length) {
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
          if (status === 200) this.ready.add(instance);
          else this.ready.delete(instance);
        }),
      );
      await sleep(this.intervalMs);
    }
  }
}
