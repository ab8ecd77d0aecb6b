import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, itemKeys, type ProductRecord, productFromItem, tableKeys } from '@shop/platform';

export interface AlertClaimsRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
}

/** Claims are kept a week, far longer than any replay of the stream would reach back. */
const claimTtlSeconds = 7 * 24 * 3600;

/**
 * The shared table as the low-stock alerter sees it: the product an alert names, and one claim
 * item per alerted event id (`sending` until its message is out, then `sent`).
 */
export class AlertClaimsRepository {
  constructor(private readonly options: AlertClaimsRepositoryOptions) {}

  async product(productId: string): Promise<ProductRecord | undefined> {
    const { Item } = await this.options.documentClient.send(
      new GetCommand({ TableName: this.options.tableName, Key: itemKeys.product(productId) }),
    );
    return Item ? productFromItem(Item) : undefined;
  }

  /** True when this worker should send: a new claim, or one whose sender died before marking it sent. */
  async claim(eventId: string, now = new Date()): Promise<boolean> {
    try {
      await this.options.documentClient.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...itemKeys.lowStockAlert(eventId),
            state: 'sending',
            claimedAt: now.toISOString(),
            [tableKeys.ttlAttribute]: Math.floor(now.getTime() / 1000) + claimTtlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const { Item } = await this.options.documentClient.send(
      new GetCommand({ TableName: this.options.tableName, Key: itemKeys.lowStockAlert(eventId), ConsistentRead: true }),
    );
    return Item?.state !== 'sent';
  }

  async markSent(eventId: string): Promise<void> {
    await this.options.documentClient.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: itemKeys.lowStockAlert(eventId),
        UpdateExpression: 'SET #state = :sent',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent' },
      }),
    );
  }
}
