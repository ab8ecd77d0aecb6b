import {
  analyticsMetricNames,
  behaviourEventTypes,
  type CloudEvent,
  fromMinorUnits,
  stockEventTypes,
} from '@shop/platform';
import type { MetricWindows } from './metric-windows.js';

/** The metric names, shared with the AWS deployment's dashboard and alarms. */
export const metricNames = analyticsMetricNames;

interface AdjustedData {
  quantity?: number;
  reason?: string;
  unitPriceMinor?: number;
  currency?: string;
  category?: string;
}

interface ProductViewedData {
  category?: unknown;
}

// A dimension value CloudWatch refuses would fail the window's whole publish; anything but a
// category name counts as uncategorized.
function viewedCategory(data: ProductViewedData): string {
  return typeof data.category === 'string' && data.category !== '' ? data.category : 'uncategorized';
}

/**
 * Counts one event into the windows of its event time: every metric it contributes to, each in
 * total and per dimension (CloudWatch does not add dimensions up by itself).
 */
export function countEvent(windows: MetricWindows, event: CloudEvent, processedAtMs: number): void {
  const at = Date.parse(event.time);
  windows.add(metricNames.eventsProcessed, [], at, 1);
  windows.add(metricNames.eventsProcessed, [{ Name: 'EventType', Value: event.type }], at, 1);
  windows.sample(metricNames.eventLagMs, at, Math.max(0, processedAtMs - at), 'Milliseconds');
  if (event.type === behaviourEventTypes.productViewed) {
    const category = viewedCategory(event.data as ProductViewedData);
    windows.add(metricNames.productViews, [], at, 1);
    windows.add(metricNames.productViews, [{ Name: 'Category', Value: category }], at, 1);
    return;
  }
  if (event.type !== stockEventTypes.adjusted) return;
  const data = event.data as AdjustedData;
  windows.add(metricNames.stockAdjustments, [{ Name: 'Reason', Value: String(data.reason) }], at, 1);
  if (data.reason !== 'sale' || typeof data.quantity !== 'number') return;
  const units = -data.quantity;
  const category = data.category ?? 'uncategorized';
  windows.add(metricNames.unitsSold, [], at, units);
  windows.add(metricNames.unitsSold, [{ Name: 'Category', Value: category }], at, units);
  if (typeof data.unitPriceMinor !== 'number' || !data.currency) return;
  // Revenue is only meaningful per currency, so every Revenue datum names its currency.
  const revenue = fromMinorUnits(data.unitPriceMinor * units, data.currency);
  const currency = { Name: 'Currency', Value: data.currency };
  windows.add(metricNames.revenue, [currency], at, revenue, 'None');
  windows.add(metricNames.revenue, [{ Name: 'Category', Value: category }, currency], at, revenue, 'None');
}

/** Counts one low-stock alert, in total and by the product's category. */
export function countLowStockAlert(windows: MetricWindows, event: CloudEvent, category: string): void {
  const at = Date.parse(event.time);
  windows.add(metricNames.lowStockAlerts, [], at, 1);
  windows.add(metricNames.lowStockAlerts, [{ Name: 'Category', Value: category }], at, 1);
}

/** Counts one record or event that could not be read, in the window it was seen. */
export function countPoison(windows: MetricWindows, processedAtMs: number): void {
  windows.add(metricNames.poisonEvents, [], processedAtMs, 1);
}

/** Counts one event skipped because its id was already counted (a retry or a replay), in the window it was seen. */
export function countDuplicate(windows: MetricWindows, processedAtMs: number): void {
  windows.add(metricNames.duplicateEvents, [], processedAtMs, 1);
}
