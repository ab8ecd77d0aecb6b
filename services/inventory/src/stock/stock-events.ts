import type { EventData, ShopEventOf } from '@shop/contracts';
import { createEvent, type Supplier, stockEventTypes } from '@shop/platform';
import type { LedgerChange } from './stock-ledger.js';
import { entryEventId, thresholdCrossing } from './stock-ledger.js';

const source = '/shop/inventory';

type StockEventType = (typeof stockEventTypes)[keyof typeof stockEventTypes];

/** Any event inventory publishes, as its schema in @shop/contracts describes it. */
export type StockEvent = { [Type in StockEventType]: ShopEventOf<Type> }[StockEventType];

/** The events a ledger change produces, in order, with ids derived from the entry. */
export function eventsForChange(productId: string, change: LedgerChange, supplier?: Supplier): StockEvent[] {
  const { entry, before, after } = change;
  const events: StockEvent[] = [];
  const stockEvent = <Type extends StockEventType>(type: Type, data: EventData<Type>): ShopEventOf<Type> => ({
    ...createEvent({
      source,
      type,
      subject: productId,
      data,
      time: new Date(entry.at),
      ...(entry.traceId ? { traceId: entry.traceId } : {}),
    }),
    id: entryEventId(entry.id, events.length),
  });
  const head = { productId, version: after.version };
  const reservations = entry.reservations ?? [];
  if (entry.onHandDelta !== 0 || entry.kind === 'adjustment') {
    events.push(
      stockEvent(stockEventTypes.adjusted, {
        ...head,
        adjustmentId: entry.id,
        quantity: entry.onHandDelta,
        reason: entry.reason ?? 'sale',
        ...(entry.note ? { note: entry.note } : {}),
        ...(entry.reference ? { reference: entry.reference } : {}),
        ...(reservations[0] && entry.kind === 'reservation.committed' ? { reservationId: reservations[0].id } : {}),
        onHandBefore: before.onHand,
        onHandAfter: after.onHand,
        availableAfter: after.available,
        ...(entry.sale
          ? {
              unitPriceMinor: entry.sale.priceMinor,
              currency: entry.sale.currency,
              category: entry.sale.category,
              revenueMinor: entry.sale.priceMinor * -entry.onHandDelta,
            }
          : {}),
      }),
    );
  }
  for (const reservation of reservations) {
    const held = { ...head, reservationId: reservation.id, quantity: reservation.quantity };
    const availableAfter = after.available;
    if (entry.kind === 'reservation.created') {
      // reserve() writes every created entry with its expiry. Were one missing, its event would
      // fail its schema (consumers count and skip it) rather than stall the product's outbox.
      const expiresAt = reservation.expiresAt === undefined ? '' : new Date(reservation.expiresAt).toISOString();
      events.push(stockEvent(stockEventTypes.reservationCreated, { ...held, expiresAt, availableAfter }));
    } else if (entry.kind === 'reservation.committed') {
      events.push(stockEvent(stockEventTypes.reservationCommitted, { ...held, availableAfter }));
    } else if (entry.kind === 'reservation.released') {
      events.push(stockEvent(stockEventTypes.reservationReleased, { ...held, availableAfter }));
    } else if (entry.kind === 'reservations.expired') {
      events.push(stockEvent(stockEventTypes.reservationExpired, { ...held, availableAfter }));
    }
  }
  if (entry.kind === 'threshold') {
    events.push(
      stockEvent(stockEventTypes.thresholdChanged, {
        ...head,
        lowStockThreshold: after.lowStockThreshold,
        previousLowStockThreshold: before.lowStockThreshold,
      }),
    );
  }
  const crossing = thresholdCrossing(change);
  const level = {
    ...head,
    available: after.available,
    onHand: after.onHand,
    lowStockThreshold: after.lowStockThreshold,
  };
  if (crossing === 'low') events.push(stockEvent(stockEventTypes.low, { ...level, ...(supplier ? { supplier } : {}) }));
  if (crossing === 'replenished') events.push(stockEvent(stockEventTypes.replenished, level));
  return events;
}
