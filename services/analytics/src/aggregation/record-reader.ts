import { checkEvent, type EventViolation, type ShopEvent } from '@shop/contracts';

/** Largest event the fleet reads; anything bigger is not one of ours. */
export const maxEventBytes = 64 * 1024;

/**
 * Why a record or an event in it was rejected: the record is no JSON, an empty batch or too large
 * per event, or the event breaks its contract (no CloudEvent, a type without a schema, or it fails
 * its type's schema). The reasons are the `reason` label of `analytics_records_rejected_total`.
 */
export type PoisonReason = 'not-json' | 'empty-batch' | 'too-large' | EventViolation;

export type ReadOutcome = { event: ShopEvent } | { poison: string; reason: PoisonReason };

/**
 * Reads one stream record: a CloudEvent or a JSON array of them (as the publishers batch them),
 * each checked against the schema of its type (@shop/contracts). Whatever cannot be read becomes a
 * poison outcome with the reason, never an exception, so one bad record can neither stall a shard
 * nor crash a worker.
 */
export function readRecord(data: Buffer): ReadOutcome[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    return [{ poison: 'record is not JSON', reason: 'not-json' }];
  }
  const values = Array.isArray(parsed) ? parsed : [parsed];
  if (values.length === 0) return [{ poison: 'record is an empty batch', reason: 'empty-batch' }];
  // Events of a batch are alike in size; measuring the record keeps this check cheap.
  if (data.length / values.length > maxEventBytes) {
    return values.map(() => ({ poison: `event over ${maxEventBytes} bytes`, reason: 'too-large' as const }));
  }
  return values.map((value) => {
    const check = checkEvent(value);
    return check.valid ? { event: check.event } : { poison: check.message, reason: check.violation };
  });
}
