import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ShopEventOf } from '@shop/contracts';
import { isConditionalCheckFailed, itemKeys, productFromItem, type stockEventTypes, tableKeys } from '@shop/platform';

/** A stock.low event, as its schema describes it. */
export type StockLowEvent = ShopEventOf<typeof stockEventTypes.low>;

export interface LowStockAlerterDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  sns: SNSClient;
  topicArn: string;
}

/** Claims are kept a week, far longer than any replay of the stream would reach back. */
const claimTtlSeconds = 7 * 24 * 3600;

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
    const { Item } = await this.deps.documentClient.send(
      new GetCommand({ TableName: this.deps.tableName, Key: itemKeys.product(productId) }),
    );
    const product = Item ? productFromItem(Item) : undefined;
    const category = product?.category ?? 'uncategorized';
    if (!(await this.claim(event.id))) return { category, sent: false };
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
    await this.deps.documentClient.send(
      new UpdateCommand({
        TableName: this.deps.tableName,
        Key: itemKeys.lowStockAlert(event.id),
        UpdateExpression: 'SET #state = :sent',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent' },
      }),
    );
    return { category, sent: true };
  }

  // True when this worker should send: a new claim, or one whose sender died before marking it sent.
  private async claim(eventId: string): Promise<boolean> {
    try {
      await this.deps.documentClient.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: {
            ...itemKeys.lowStockAlert(eventId),
            state: 'sending',
            claimedAt: new Date().toISOString(),
            [tableKeys.ttlAttribute]: Math.floor(Date.now() / 1000) + claimTtlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const { Item } = await this.deps.documentClient.send(
      new GetCommand({ TableName: this.deps.tableName, Key: itemKeys.lowStockAlert(eventId), ConsistentRead: true }),
    );
    return Item?.state !== 'sent';
  }
}
