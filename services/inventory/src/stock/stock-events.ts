import { type CloudEvent, createEvent, type Supplier, stockEventTypes } from '@shop/platform';
import type { LedgerChange } from './stock-ledger.js';
import { entryEventId, thresholdCrossing } from './stock-ledger.js';

const source = '/shop/inventory';

/** The events a ledger change produces, in order, with ids derived from the entry. */
export function eventsForChange(productId: string, change: LedgerChange, supplier?: Supplier): CloudEvent[] {
  const { entry, before, after } = change;
  const events: CloudEvent[] = [];
  const add = (type: string, data: Record<string, unknown>) => {
    const event = createEvent({
      source,
      type,
      subject: productId,
      data: { productId, version: after.version, ...data },
      time: new Date(entry.at),
      ...(entry.traceId ? { traceId: entry.traceId } : {}),
    });
    events.push({ ...event, id: entryEventId(entry.id, events.length) });
  };
  const reservations = entry.reservations ?? [];
  if (entry.onHandDelta !== 0 || entry.kind === 'adjustment') {
    add(stockEventTypes.adjusted, {
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
    });
  }
  const reservationType = {
    'reservation.created': stockEventTypes.reservationCreated,
    'reservation.committed': stockEventTypes.reservationCommitted,
    'reservation.released': stockEventTypes.reservationReleased,
    'reservations.expired': stockEventTypes.reservationExpired,
  } as const;
  if (entry.kind in reservationType) {
    for (const reservation of reservations) {
      add(reservationType[entry.kind as keyof typeof reservationType], {
        reservationId: reservation.id,
        quantity: reservation.quantity,
        ...(reservation.expiresAt ? { expiresAt: new Date(reservation.expiresAt).toISOString() } : {}),
        availableAfter: after.available,
      });
    }
  }
  if (entry.kind === 'threshold') {
    add(stockEventTypes.thresholdChanged, {
      lowStockThreshold: after.lowStockThreshold,
      previousLowStockThreshold: before.lowStockThreshold,
    });
  }
  const crossing = thresholdCrossing(change);
  if (crossing) {
    add(crossing === 'low' ? stockEventTypes.low : stockEventTypes.replenished, {
      available: after.available,
      onHand: after.onHand,
      lowStockThreshold: after.lowStockThreshold,
      ...(crossing === 'low' && supplier ? { supplier } : {}),
    });
  }
  return events;
}
