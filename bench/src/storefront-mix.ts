// The storefront's traffic as the benchmarks send it: which request comes next and, for sales and
// restocks, how much, so that every sale finds stock.
import type { OpenLoopRequest } from './open-loop.js';

export type StorefrontOperation = 'product' | 'list' | 'search' | 'stock' | 'adjustment';

/**
 * Shares of the mix: 80 % catalog reads (single products, category lists and searches), 15 % stock
 * reads, 5 % sales and restocks.
 */
export const storefrontShares: ReadonlyArray<readonly [StorefrontOperation, number]> = [
  ['product', 0.5],
  ['list', 0.15],
  ['search', 0.15],
  ['stock', 0.15],
  ['adjustment', 0.05],
];

/** A seeded generator of numbers in [0, 1) (mulberry32), so a run's sequence of requests can be repeated. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The operation a draw `value` in [0, 1) falls on. */
export function pickOperation(value: number, mix = storefrontShares): StorefrontOperation {
  let upTo = 0;
  for (const [operation, share] of mix) {
    upTo += share;
    if (value < upTo) return operation;
  }
  return mix.at(-1)?.[0] ?? 'product';
}

/**
 * What the benchmark knows of each product's stock, as a floor: sales count from the moment they are
 * sent, restocks only once answered. While the floor is above `lowWater` the next change is a sale,
 * otherwise a restock, so the stock never runs out however the answers interleave.
 */
export class StockKeeper {
  private readonly floors = new Map<string, number>();

  constructor(
    readonly options: { initial: number; lowWater: number; restock: number },
    productIds: readonly string[],
  ) {
    for (const id of productIds) this.floors.set(id, options.initial);
  }

  /** The adjustment to send next for `productId`; `confirm` is to be called with its answer's status. */
  next(productId: string): { quantity: number; reason: 'sale' | 'restock'; confirm: (status: number) => void } {
    const floor = this.floor(productId);
    if (floor > this.options.lowWater) {
      this.floors.set(productId, floor - 1);
      return { quantity: -1, reason: 'sale', confirm: () => {} };
    }
    const quantity = this.options.restock;
    return {
      quantity,
      reason: 'restock',
      confirm: (status) => {
        if (status === 201) this.floors.set(productId, this.floor(productId) + quantity);
      },
    };
  }

  floor(productId: string): number {
    return this.floors.get(productId) ?? 0;
  }
}

export interface StorefrontCatalogue {
  productIds: readonly string[];
  categories: readonly string[];
  /** What shoppers type into the search box (some misspelt). */
  searchTerms: readonly string[];
  /** Authorization header of an inventory staff member. */
  staffAuthorization: string;
}

/** Builds the mix's requests from a seeded random, for `runOpenLoop`'s `next`. */
export function storefrontRequests(
  catalogue: StorefrontCatalogue,
  stock: StockKeeper,
  random: () => number,
): (index: number) => OpenLoopRequest {
  const pickFrom = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  return () => {
    const operation = pickOperation(random());
    const id = pickFrom(catalogue.productIds);
    switch (operation) {
      case 'product':
        return { kind: operation, method: 'GET', path: `/api/products/${id}` };
      case 'list':
        return {
          kind: operation,
          method: 'GET',
          path: `/api/products?limit=20&category=${pickFrom(catalogue.categories)}`,
        };
      case 'search': {
        const term = encodeURIComponent(pickFrom(catalogue.searchTerms));
        const refine = pickFrom([
          '',
          `&category=${pickFrom(catalogue.categories)}`,
          '&inStock=true',
          '&sort=price-asc',
        ]);
        return { kind: operation, method: 'GET', path: `/api/products/search?q=${term}${refine}` };
      }
      case 'stock':
        return { kind: operation, method: 'GET', path: `/api/inventory/${id}` };
      case 'adjustment': {
        const { quantity, reason, confirm } = stock.next(id);
        return {
          kind: reason,
          method: 'POST',
          path: `/api/inventory/${id}/adjustments`,
          headers: { authorization: catalogue.staffAuthorization },
          body: { quantity, reason },
          onAnswer: confirm,
        };
      }
    }
  };
}
