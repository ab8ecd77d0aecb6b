import type { BehaviourEvent } from '@shop/api-client';

/**
 * Reports that a shopper looked at a product, as the behaviour event `POST /api/events` accepts. A
 * beacon survives the page being left and never delays it; when the browser refuses one, the view
 * is simply not counted.
 */
export function reportProductView(productId: string): void {
  const event: BehaviourEvent = { type: 'product-viewed', version: 1, productId };
  const body = new Blob([JSON.stringify(event)], { type: 'application/json' });
  if (typeof navigator.sendBeacon === 'function' && navigator.sendBeacon('/api/events', body)) return;
  void fetch('/api/events', {
    method: 'POST',
    body,
    keepalive: true,
    headers: { 'Content-Type': 'application/json' },
  }).catch(() => undefined);
}
