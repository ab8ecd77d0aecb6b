import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestOutcome, RetryingApiClient } from './retrying-api-client.js';

/** A scenario's own products, in a category of their own so CloudWatch counts them apart. */
export interface ScenarioProducts {
  category: string;
  ids: string[];
}

const initialStock = 200;
const unitPrice = 2.5;

/** Creates `count` products through the API and stocks each of them (a restock counted like any other). */
export async function createScenarioProducts(
  client: RetryingApiClient,
  category: string,
  count: number,
): Promise<{ products: ScenarioProducts; restocked: number; adjustmentIds: string[] }> {
  const ids: string[] = [];
  const adjustmentIds: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const created = await client.send('catalog', 'POST', '/api/products', {
      name: `Chaos ${category} ${index}`,
      description: 'fault scenario product',
      price: unitPrice,
      category,
    });
    if (created.kind !== 'ok') throw new Error(`product not created: ${describeOutcome(created)}`);
    const id = String(created.answer.body.id);
    const stocked = await client.send('inventory', 'POST', `/api/inventory/${id}/adjustments`, {
      quantity: initialStock,
      reason: 'restock',
    });
    if (stocked.kind !== 'ok') throw new Error(`product ${id} not stocked: ${describeOutcome(stocked)}`);
    ids.push(id);
    adjustmentIds.push(String(stocked.answer.body.adjustment.id));
  }
  return { products: { category, ids }, restocked: initialStock * count, adjustmentIds };
}

export function describeOutcome(outcome: RequestOutcome): string {
  return outcome.kind === 'abandoned'
    ? `no definite answer before the deadline (last status ${outcome.lastStatus})`
    : `${outcome.answer.status} ${JSON.stringify(outcome.answer.body).slice(0, 200)}`;
}

function between(low: number, high: number): number {
  return low + Math.floor(Math.random() * (high - low + 1));
}

/**
 * Steady traffic over a scenario's products from a few concurrent clients: sales, restocks,
 * product edits and reads, each a logical request that the client retries to a definite answer.
 * It keeps the client's view of what was applied: units sold, units restocked, and the ids of the
 * adjustments it was answered.
 */
export class SteadyWorkload {
  sold = 0;
  restocked: number;
  /** Every adjustment the API answered 201, the initial stocking included. */
  readonly adjustmentIds: Set<string>;
  /** Requests that ended without the answer the workload can account for. */
  readonly problems: string[] = [];
  private running = false;
  private clients: Array<Promise<void>> = [];

  constructor(
    private readonly client: RetryingApiClient,
    private readonly products: ScenarioProducts,
    initial: { restocked: number; adjustmentIds: string[] },
    private readonly options: { concurrency: number; pauseMs: number },
  ) {
    this.restocked = initial.restocked;
    this.adjustmentIds = new Set(initial.adjustmentIds);
  }

  start(): void {
    this.running = true;
    this.clients = Array.from({ length: this.options.concurrency }, (_, index) => this.loop(index));
  }

  /** Sends nothing new and waits until every request under way has its definite answer. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }

  private async loop(offset: number): Promise<void> {
    for (let index = offset; this.running; index += this.options.concurrency) {
      await this.step(index);
      await sleep(this.options.pauseMs * (0.5 + Math.random()));
    }
  }

  private async step(index: number): Promise<void> {
    const productId = this.products.ids[index % this.products.ids.length] as string;
    const roll = Math.random();
    if (roll < 0.45) {
      const quantity = between(1, 3);
      const outcome = await this.adjust(productId, -quantity, 'sale');
      if (outcome.kind === 'ok') this.sold += quantity;
      // Selling beyond the stock is refused (409 with `available`); that changes nothing.
      else if (!(outcome.kind === 'refused' && outcome.answer.status === 409)) this.problem('sale', outcome);
    } else if (roll < 0.75) {
      const quantity = between(1, 5);
      const outcome = await this.adjust(productId, quantity, 'restock');
      if (outcome.kind === 'ok') this.restocked += quantity;
      else this.problem('restock', outcome);
    } else if (roll < 0.85) {
      const outcome = await this.client.send('catalog', 'PATCH', `/api/products/${productId}`, {
        description: `revision ${index}`,
      });
      if (outcome.kind !== 'ok') this.problem('product edit', outcome);
    } else {
      const path = roll < 0.93 ? `/api/inventory/${productId}` : `/api/products/${productId}`;
      const outcome = await this.client.send(path.startsWith('/api/inventory') ? 'inventory' : 'catalog', 'GET', path);
      if (outcome.kind !== 'ok') this.problem(`read ${path}`, outcome);
    }
  }

  private async adjust(productId: string, quantity: number, reason: 'sale' | 'restock'): Promise<RequestOutcome> {
    const outcome = await this.client.send('inventory', 'POST', `/api/inventory/${productId}/adjustments`, {
      quantity,
      reason,
    });
    if (outcome.kind === 'ok') this.adjustmentIds.add(String(outcome.answer.body.adjustment.id));
    return outcome;
  }

  private problem(what: string, outcome: RequestOutcome): void {
    this.problems.push(`${what}: ${describeOutcome(outcome)}`);
  }
}
