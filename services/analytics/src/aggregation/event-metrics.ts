import type { ShopEvent } from '@shop/contracts';
import { analyticsMetricNames, behaviourEventTypes, fromMinorUnits, stockEventTypes } from '@shop/platform';
import type { MetricWindows } from './metric-windows.js';

/** The metric names, shared with the AWS deployment's dashboard and alarms. */
export const metricNames = analyticsMetricNames;

/**
 * Counts one event into the windows of its event time: every metric it contributes to, each in
 * total and per dimension (CloudWatch does not add dimensions up by itself). The event has passed
 * its schema, so a view names its category, a sale its price, currency and category, and every
 * category is a slug that CloudWatch takes as a dimension value.
 */
export function countEvent(windows: MetricWindows, event: ShopEvent, processedAtMs: number): void {
  const at = Date.parse(event.time);
  windows.add(metricNames.eventsProcessed, [], at, 1);
  windows.add(metricNames.eventsProcessed, [{ Name: 'EventType', Value: event.type }], at, 1);
  windows.sample(metricNames.eventLagMs, at, Math.max(0, processedAtMs - at), 'Milliseconds');
  if (event.type === behaviourEventTypes.productViewed) {
    const { category } = event.data;
    windows.add(metricNames.productViews, [], at, 1);
    windows.add(metricNames.productViews, [{ Name: 'Category', Value: category }], at, 1);
    return;
  }
  if (event.type !== stockEventTypes.adjusted) return;
  const { data } = event;
  windows.add(metricNames.stockAdjustments, [{ Name: 'Reason', Value: data.reason }], at, 1);
  // A sale's schema requires its price, currency and category; the generated type keeps them
  // optional (it cannot say "required when the reason is sale"), hence the check.
  const { unitPriceMinor, currency, category } = data;
  if (data.reason !== 'sale' || unitPriceMinor === undefined || currency === undefined || category === undefined)
    return;
  const units = -data.quantity;
  windows.add(metricNames.unitsSold, [], at, units);
  windows.add(metricNames.unitsSold, [{ Name: 'Category', Value: category }], at, units);
  // Revenue is only meaningful per currency, so every Revenue datum names its currency.
  const revenue = fromMinorUnits(unitPriceMinor * units, currency);
  const currencyDimension = { Name: 'Currency', Value: currency };
  windows.add(metricNames.revenue, [currencyDimension], at, revenue, 'None');
  windows.add(metricNames.revenue, [{ Name: 'Category', Value: category }, currencyDimension], at, revenue, 'None');
}

/** Counts one low-stock alert, in total and by the product's category. */
export function countLowStockAlert(windows: MetricWindows, event: ShopEvent, category: string): void {
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
