import { setTimeout as sleep } from 'node:timers/promises';
import { type CloudEvent, stockEventTypes } from '@shop/platform';
import type { ChaosStack } from './chaos-stack.js';
import type { RetryingApiClient } from './retrying-api-client.js';
import { describeOutcome, type ScenarioProducts, type SteadyWorkload } from './steady-workload.js';

export interface InvariantReport {
  /** Units of every sale the API answered 201. */
  soldByApi: number;
  /** Units restocked minus the stock read back: what left the shelves. */
  stockDecrement: number;
  /** `UnitsSold` of the scenario's category in CloudWatch. */
  unitsInCloudWatch: number;
  /** Products read back with stock below zero. */
  negativeStock: string[];
  /** Committed changes (every version a product or stock item reached) without their event. */
  eventsLost: number;
  /** Copies of events on the stream beyond the first of each id (at least once: allowed). */
  streamCopies: number;
  /** The scenario's products still with unpublished events. */
  pending: number;
  /** Products the search index has missing, stale or extra against the table (any scenario's). */
  indexDrift: number;
  /** From the last answered request until every check held (the search index agreeing with the table too); the wait's limit when they never did. */
  consistentMs: number;
  problems: string[];
}

function versionOf(event: CloudEvent): number {
  const data = event.data as { version?: number; product?: { version: number } };
  return data.product?.version ?? data.version ?? -1;
}

/** `product <id>@<version>` or `stock <id>@<version>` for each event of these products. */
function changesOn(events: CloudEvent[], products: Set<string>): Set<string> {
  const changes = new Set<string>();
  for (const event of events) {
    if (!products.has(event.subject ?? '')) continue;
    const kind = event.source === '/shop/catalog' ? 'product' : 'stock';
    changes.add(`${kind} ${event.subject}@${versionOf(event)}`);
  }
  return changes;
}

/**
 * The product's adjustment history, and what in it the client cannot account for: changes it was
 * never answered, and one answered change recorded at more than one version (applied twice).
 */
async function unaccountedHistory(client: RetryingApiClient, productId: string, answered: Set<string>) {
  const versionsById = new Map<string, number[]>();
  let cursor: string | undefined;
  do {
    const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await client.send('inventory', 'GET', `/api/inventory/${productId}/adjustments?${query}`);
    if (page.kind !== 'ok') return [`history of ${productId} unreadable: ${describeOutcome(page)}`];
    for (const record of page.answer.body.items as Array<{ id: string; version: number }>) {
      versionsById.set(record.id, [...(versionsById.get(record.id) ?? []), record.version]);
    }
    cursor = page.answer.body.nextCursor ?? undefined;
  } while (cursor);
  const found: string[] = [];
  for (const [id, versions] of versionsById) {
    if (versions.length > 1)
      found.push(`adjustment ${id} of ${productId} applied ${versions.length} times (versions ${versions.join(', ')})`);
    else if (!answered.has(id))
      found.push(`adjustment ${id} of ${productId} (version ${versions[0]}) was never answered to the client`);
  }
  return found;
}

/** Products the search index has missing, stale or extra against the table, each with how. */
async function indexDrift(stack: ChaosStack): Promise<string[]> {
  const index = await stack.indexCheck();
  return [
    ...index.missing.map((id) => `${id} missing`),
    ...index.stale.map((id) => `${id} stale`),
    ...index.extra.map((id) => `${id} extra`),
  ];
}

/**
 * Reads the scenario's products back through the API and waits (up to `timeoutMs`) until what the
 * client was answered, the stock, the stream, the outboxes and CloudWatch all agree.
 */
export async function checkInvariants(
  stack: ChaosStack,
  client: RetryingApiClient,
  workload: SteadyWorkload,
  products: ScenarioProducts,
  timeoutMs: number,
): Promise<InvariantReport> {
  const started = Date.now();
  const problems: string[] = [];
  const expected: string[] = [];
  const negativeStock: string[] = [];
  let onHand = 0;
  for (const id of products.ids) {
    const [stock, product] = await Promise.all([
      client.send('inventory', 'GET', `/api/inventory/${id}`),
      client.send('catalog', 'GET', `/api/products/${id}`),
    ]);
    if (stock.kind !== 'ok' || product.kind !== 'ok') {
      problems.push(`read-back of ${id} failed: ${describeOutcome(stock.kind !== 'ok' ? stock : product)}`);
      continue;
    }
    const level = stock.answer.body as { onHand: number; available: number; version: number };
    if (level.onHand < 0 || level.available < 0) negativeStock.push(`${id}: ${level.onHand}/${level.available}`);
    onHand += level.onHand;
    for (let version = 1; version <= level.version; version += 1) expected.push(`stock ${id}@${version}`);
    for (let version = 1; version <= Number(product.answer.body.version); version += 1)
      expected.push(`product ${id}@${version}`);
  }

  const ids = new Set(products.ids);
  const deadline = started + timeoutMs;
  let missing = expected.length;
  let missingAdjustments = workload.adjustmentIds.size;
  let streamCopies = 0;
  let pending = products.ids.length;
  let units = 0;
  let drift: string[] = ['not checked yet'];
  let lastReadError = '';
  for (;;) {
    try {
      if (missing > 0 || missingAdjustments > 0) {
        const events = (await stack.streamEvents()).filter((event) => ids.has(event.subject ?? ''));
        const present = changesOn(events, ids);
        missing = expected.filter((change) => !present.has(change)).length;
        const adjusted = new Set(
          events
            .filter((event) => event.type === stockEventTypes.adjusted)
            .map((event) => String((event.data as { adjustmentId?: string }).adjustmentId)),
        );
        missingAdjustments = [...workload.adjustmentIds].filter((id) => !adjusted.has(id)).length;
        streamCopies = events.length - new Set(events.map((event) => event.id)).size;
      }
      pending = [...(await stack.pendingProducts())].filter((id) => ids.has(id)).length;
      units = await stack.reader.sum('UnitsSold', { Category: products.category });
      drift = await indexDrift(stack);
      lastReadError = '';
    } catch (error) {
      // A slow stand-in fails one round of reads; the next round tries again.
      lastReadError = (error as Error).message;
    }
    const done =
      !lastReadError &&
      missing === 0 &&
      missingAdjustments === 0 &&
      pending === 0 &&
      units >= workload.sold &&
      drift.length === 0;
    if (done || Date.now() > deadline) break;
    await sleep(1_000);
  }
  if (lastReadError) problems.push(`the last round of checks could not read: ${lastReadError}`);
  if (workload.restocked - onHand !== workload.sold) {
    for (const id of products.ids) problems.push(...(await unaccountedHistory(client, id, workload.adjustmentIds)));
  }
  if (missingAdjustments > 0) problems.push(`${missingAdjustments} answered adjustment(s) without their event`);
  if (drift.length > 0) {
    problems.push(
      `the search index differs from the table: ${drift.slice(0, 5).join(', ')}${drift.length > 5 ? ', …' : ''}`,
    );
  }
  return {
    soldByApi: workload.sold,
    stockDecrement: workload.restocked - onHand,
    unitsInCloudWatch: units,
    negativeStock,
    eventsLost: missing,
    streamCopies,
    pending,
    indexDrift: drift.length,
    consistentMs: Date.now() - started,
    problems,
  };
}
