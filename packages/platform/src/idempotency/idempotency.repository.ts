import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../aws/dynamodb-errors.js';
import { itemKeys, tableKeys } from '../data/table-schema.js';

/** The answer stored for a completed request, replayed to retries. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type IdempotencyRecord =
  | { state: 'pending'; fingerprint: string; reservedId: string; lockedUntil: number }
  | { state: 'completed'; fingerprint: string; reservedId: string; response: StoredResponse };

export interface IdempotencyRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** How long a completed answer is kept for replay. */
  retentionSeconds?: number;
}

const key = itemKeys.idempotency;

/** A record is live through the whole second its TTL names (DynamoDB's TTL is in seconds). */
const isExpired = (ttlSeconds: unknown, nowMs: number) => Number(ttlSeconds) < Math.floor(nowMs / 1000);

/** Stores idempotency records (`IDEMPOTENCY#<key>`) with a TTL, each change a conditional write. */
export class IdempotencyRepository {
  private readonly retentionSeconds: number;

  constructor(private readonly options: IdempotencyRepositoryOptions) {
    this.retentionSeconds = options.retentionSeconds ?? 24 * 3600;
  }

  async get(scopedKey: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.options.documentClient.send(
      new GetCommand({ TableName: this.options.tableName, Key: key(scopedKey), ConsistentRead: true }),
    );
    // Expired by the same whole-second rule as `reserve`'s condition, so that no moment exists
    // when one sees the record gone and the other sees it live.
    if (!Item || isExpired(Item[tableKeys.ttlAttribute], Date.now())) return undefined;
    return Item.state === 'completed'
      ? { state: 'completed', fingerprint: Item.fingerprint, reservedId: Item.reservedId, response: Item.response }
      : { state: 'pending', fingerprint: Item.fingerprint, reservedId: Item.reservedId, lockedUntil: Item.lockedUntil };
  }

  /** Creates a pending record unless a live one exists; false when someone else holds the key. */
  async reserve(scopedKey: string, fingerprint: string, reservedId: string, lockMs: number): Promise<boolean> {
    const now = Date.now();
    try {
      await this.options.documentClient.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...key(scopedKey),
            state: 'pending',
            fingerprint,
            reservedId,
            lockedUntil: now + lockMs,
            [tableKeys.ttlAttribute]: Math.floor(now / 1000) + this.retentionSeconds,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :nowSeconds',
          ExpressionAttributeNames: { '#pk': tableKeys.partitionKey, '#ttl': tableKeys.ttlAttribute },
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Takes over a pending record whose holder stopped renewing it (crashed); keeps its reserved id. */
  async takeOver(scopedKey: string, previousLockedUntil: number, lockMs: number): Promise<boolean> {
    try {
      await this.options.documentClient.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: key(scopedKey),
          UpdateExpression: 'SET lockedUntil = :next',
          ConditionExpression: '#state = :pending AND lockedUntil = :previous',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':previous': previousLockedUntil,
            ':next': Date.now() + lockMs,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async complete(scopedKey: string, response: StoredResponse): Promise<void> {
    await this.options.documentClient.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: key(scopedKey),
        UpdateExpression: 'SET #state = :completed, #response = :response REMOVE lockedUntil',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':completed': 'completed', ':response': response },
      }),
    );
  }

  /** Drops a pending record so the client may retry after a failure. */
  async release(scopedKey: string): Promise<void> {
    await this.options.documentClient
      .send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: key(scopedKey),
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }
}
