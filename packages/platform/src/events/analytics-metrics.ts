/**
 * The CloudWatch metrics the analytics fleet publishes, named once: the fleet writes them and the
 * AWS deployment charts and alarms on them.
 */
export const analyticsMetricNames = {
  eventsProcessed: 'EventsProcessed',
  unitsSold: 'UnitsSold',
  revenue: 'Revenue',
  stockAdjustments: 'StockAdjustments',
  lowStockAlerts: 'LowStockAlerts',
  poisonEvents: 'PoisonEvents',
  duplicateEvents: 'DuplicateEvents',
  eventLagMs: 'EventLagMs',
  productViews: 'ProductViews',
} as const;

/** The namespace the fleet publishes in by default (METRICS_NAMESPACE). */
export const analyticsNamespace = 'Shop';
