import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ShopEventOf } from '@shop/contracts';
import type { stockEventTypes } from '@shop/platform';
import type { AlertClaimsRepository } from './alert-claims.repository.js';

/** A stock.low event, as its schema describes it. */
export type StockLowEvent = ShopEventOf<typeof stockEventTypes.low>;

export interface LowStockAlerterDeps {
  claims: AlertClaimsRepository;
  sns: SNSClient;
  topicArn: string;
}

/**
 * Sends each `stock.low` event to the suppliers' SNS topic once. A claim item per event id in the
 * table makes that hold across workers, lease moves and replays: the claim is written before the
 * message and marked sent after it, so a worker that died in between sends it again (the only way
 * a supplier can get one twice) and none is ever skipped.
 */
export class LowStockAlerter {
  constructor(private readonly deps: LowStockAlerterDeps) {}

  /** Sends the alert unless it was sent already; resolves with the product's category. */
  async alert(event: StockLowEvent): Promise<{ category: string; sent: boolean }> {
    const { data } = event;
    const { productId } = data;
    const product = await this.deps.claims.product(productId);
    const category = product?.category ?? 'uncategorized';
    if (!(await this.deps.claims.claim(event.id))) return { category, sent: false };
    const supplier = data.supplier ?? product?.supplier;
    const message = {
      type: 'low-stock',
      eventId: event.id,
      productId,
      ...(product ? { name: product.name, sku: product.sku, category: product.category } : {}),
      available: data.available,
      onHand: data.onHand,
      lowStockThreshold: data.lowStockThreshold,
      ...(supplier ? { supplier } : {}),
      at: event.time,
    };
    await this.deps.sns.send(
      new PublishCommand({
        TopicArn: this.deps.topicArn,
        Subject: `Low stock: ${(product?.name ?? productId).slice(0, 80)}`,
        Message: JSON.stringify(message),
        MessageAttributes: {
          productId: { DataType: 'String', StringValue: productId },
          ...(supplier ? { supplierEmail: { DataType: 'String', StringValue: supplier.email } } : {}),
        },
      }),
    );
    await this.deps.claims.markSent(event.id);
    return { category, sent: true };
  }
}
