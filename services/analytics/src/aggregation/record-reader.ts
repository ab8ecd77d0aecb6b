import { type CloudEvent, knownEventTypes } from '@shop/platform';

/** Largest event the fleet reads; anything bigger is not one of ours. */
export const maxEventBytes = 64 * 1024;

export type ReadOutcome = { event: CloudEvent } | { poison: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function check(value: unknown): ReadOutcome {
  if (!isObject(value)) return { poison: 'not a CloudEvent: not a JSON object' };
  const { specversion, id, type, time, data } = value;
  if (specversion !== '1.0' || typeof id !== 'string' || !id || typeof type !== 'string') {
    return { poison: 'not a CloudEvent: specversion, id or type missing' };
  }
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) return { poison: `event ${id}: no valid time` };
  if (!isObject(data)) return { poison: `event ${id}: data is not an object` };
  if (!knownEventTypes.has(type)) return { poison: `event ${id}: unknown type ${type.slice(0, 200)}` };
  return { event: value as unknown as CloudEvent };
}

/**
 * Reads one stream record: a CloudEvent or a JSON array of them (as the publishers batch them).
 * Whatever cannot be read becomes a poison outcome with the reason, never an exception, so one
 * bad record can neither stall a shard nor crash a worker.
 */
export function readRecord(data: Buffer): ReadOutcome[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    return [{ poison: 'record is not JSON' }];
  }
  const values = Array.isArray(parsed) ? parsed : [parsed];
  if (values.length === 0) return [{ poison: 'record is an empty batch' }];
  // Events of a batch are alike in size; measuring the record keeps this check cheap.
  if (data.length / values.length > maxEventBytes) {
    return values.map(() => ({ poison: `event over ${maxEventBytes} bytes` }));
  }
  return values.map(check);
}
