/** The name of the service that owns an item's outbox (it writes it, and only its relay sweeps it). */
export type OutboxOwner = string;

/**
 * Index partitions per owner (and per archive day). A single partition value would put every
 * write of the fleet on one index partition; products spread over these by a hash of their id.
 */
export const outboxShardCount = 16;

/** FNV-1a of the product id, reduced to a shard. */
export function shardOf(productId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < productId.length; index += 1) {
    hash ^= productId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % outboxShardCount;
}

/** `outboxKey` of an item with unpublished events (sparse: absent once they are out). */
export function outboxKey(owner: OutboxOwner, productId: string): string {
  return outboxPartition(owner, shardOf(productId));
}

export function outboxPartition(owner: OutboxOwner, shard: number): string {
  return `OUTBOX#${owner}#${shard}`;
}

/** `archiveKey` of a page of published events whose first event happened at `at` (ISO time). */
export function archiveKey(at: string, productId: string): string {
  return archivePartition(at.slice(0, 10), shardOf(productId));
}

export function archivePartition(day: string, shard: number): string {
  return `ARCHIVE#${day}#${shard}`;
}

/** The product id in a `PRODUCT#<id>` partition key. */
export function productIdOfKey(pk: string): string | undefined {
  return pk.startsWith('PRODUCT#') ? pk.slice('PRODUCT#'.length) : undefined;
}
