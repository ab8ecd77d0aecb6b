/** The API's shapes, as the pages read them. */
export interface Product {
  id: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  sku?: string;
  category: string;
  supplier?: { name: string; email: string };
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type ProductInput = Pick<Product, 'name' | 'description' | 'price' | 'currency' | 'category'> & {
  sku?: string;
  supplier?: { name: string; email: string };
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface StockLevel {
  productId: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  version: number;
  updatedAt: string | null;
}

export interface Adjustment {
  id: string;
  productId: string;
  quantity: number;
  reason: string;
  note?: string;
  reference?: string;
  onHandBefore: number;
  onHandAfter: number;
  version: number;
  createdAt: string;
}

export const adjustmentReasons = ['restock', 'sale', 'return', 'correction', 'damage'] as const;

export interface Series {
  label: string;
  points: Array<{ t: string; v: number }>;
}

export interface DashboardMetrics {
  from: string;
  to: string;
  periodSeconds: number;
  charts: {
    unitsSold: Series[];
    revenue: Series[];
    eventsProcessed: Series[];
    lowStockAlerts: Series[];
    eventLagMs: Series[];
    productViews: Series[];
  };
  topViewedCategories: Array<{ category: string; views: number }>;
}
