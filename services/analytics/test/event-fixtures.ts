// Events as the producers write them, typed by the contract's generated types, so a fixture that
// drifts from the schemas fails the type check (and the fleet's schema check) instead of testing
// the fleet with events it would reject.
import type { ShopEventOf } from '@shop/contracts';
import { behaviourEventTypes, createEvent, newId, type productEventTypes, stockEventTypes } from '@shop/platform';

const ids = new Map<string, string>();

/** A ULID that stays the same for one label in a test run, so tests can name events ("E1", "L9"). */
export function fixtureId(label: string): string {
  let id = ids.get(label);
  if (!id) {
    id = newId();
    ids.set(label, id);
  }
  return id;
}

/** A product id per label, as `fixtureId`. */
export const productIdOf = (label: string): string => fixtureId(`product ${label}`);

interface Envelope {
  /** The event's id label (see fixtureId); a fresh id when left out. */
  id?: string;
  time?: string;
  product?: string;
  traceid?: string;
}

function envelope<Type extends string, Data>(type: Type, source: string, data: Data, options: Envelope) {
  const productId = productIdOf(options.product ?? 'P1');
  const event = createEvent({
    source,
    type,
    subject: productId,
    data,
    ...(options.time ? { time: new Date(options.time) } : {}),
    ...(options.traceid ? { traceId: options.traceid } : {}),
  });
  return { ...event, ...(options.id ? { id: fixtureId(options.id) } : {}) };
}

/** A sale of `quantity` units (negative), with its price, currency and category. */
export function saleEvent(
  options: Envelope & { quantity: number; category?: string; unitPriceMinor?: number; currency?: string },
): ShopEventOf<typeof stockEventTypes.adjusted> {
  const { quantity, category = 'tea', unitPriceMinor = 1250, currency = 'USD' } = options;
  const productId = productIdOf(options.product ?? 'P1');
  return envelope(
    stockEventTypes.adjusted,
    '/shop/inventory',
    {
      productId,
      version: 2,
      adjustmentId: newId(),
      quantity,
      reason: 'sale' as const,
      onHandBefore: 100,
      onHandAfter: 100 + quantity,
      availableAfter: 100 + quantity,
      unitPriceMinor,
      currency,
      category,
      revenueMinor: unitPriceMinor * -quantity,
    },
    options,
  );
}

/** A restock of `quantity` units; the stock item's `version` after it is 2 unless given. */
export function restockEvent(
  options: Envelope & { quantity: number; version?: number },
): ShopEventOf<typeof stockEventTypes.adjusted> {
  const productId = productIdOf(options.product ?? 'P1');
  return envelope(
    stockEventTypes.adjusted,
    '/shop/inventory',
    {
      productId,
      version: options.version ?? 2,
      adjustmentId: newId(),
      quantity: options.quantity,
      reason: 'restock' as const,
      onHandBefore: 0,
      onHandAfter: options.quantity,
      availableAfter: options.quantity,
    },
    options,
  );
}

/** The stock of a product fell to its low-stock threshold. */
export function lowStockEvent(options: Envelope = {}): ShopEventOf<typeof stockEventTypes.low> {
  const productId = productIdOf(options.product ?? 'P1');
  return envelope(
    stockEventTypes.low,
    '/shop/inventory',
    { productId, version: 3, available: 2, onHand: 2, lowStockThreshold: 3 },
    options,
  );
}

/** A shopper viewed a product of `category`. */
export function viewEvent(
  options: Envelope & { category: string },
): ShopEventOf<typeof behaviourEventTypes.productViewed> {
  const productId = productIdOf(options.product ?? 'P1');
  return envelope(behaviourEventTypes.productViewed, '/shop/web', { productId, category: options.category }, options);
}

type ProductEventType = (typeof productEventTypes)[keyof typeof productEventTypes];

/** A product created, updated or deleted, carrying the product at `version` (named and priced as given). */
export function productEvent<Type extends ProductEventType>(
  type: Type,
  options: Envelope & { version: number; name?: string; priceMinor?: number; category?: string },
): ShopEventOf<Type> {
  const productId = productIdOf(options.product ?? 'P1');
  const { version, name = `Product ${options.product ?? 'P1'}`, priceMinor = 1250, category = 'tea' } = options;
  const at = new Date(Date.parse('2026-11-25T10:00:00.000Z') + version * 1000).toISOString();
  const product = {
    id: productId,
    name,
    description: `${name}, loose leaf`,
    priceMinor,
    price: priceMinor / 100,
    currency: 'USD',
    sku: `SKU-${productId}`,
    category,
    version,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: at,
  };
  return envelope(type, '/shop/catalog', { product }, options) as ShopEventOf<Type>;
}
