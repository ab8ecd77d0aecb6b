import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, itemKeys, tableKeys } from '@shop/platform';
import type { UploadContentType } from './upload-post.js';

/** An upload a catalog admin asked for, until it is attached or expires. */
export interface ImageUploadRecord {
  productId: string;
  uploadId: string;
  contentType: UploadContentType;
  size: number;
  createdAt: string;
}

export interface UploadsRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** How long an unattached upload's record is kept (DynamoDB TTL); the bucket's lifecycle removes the file. */
  retentionSeconds?: number;
  /** A claim older than this belongs to an attach that died and may be taken over. */
  claimTimeoutMs?: number;
}

/** What claiming an upload for attaching found. */
export type UploadClaim = { claimed: ImageUploadRecord } | { missing: true } | { busy: true };

/**
 * Upload records (`PRODUCT#<id>` / `UPLOAD#<uploadId>`), in the product's partition, so an upload
 * id of another product is simply not there. Attaching claims the record first (one attach at a
 * time, a dead attach's claim times out) and deletes it when done, so an upload is attached once.
 */
export class UploadsRepository {
  private readonly retentionSeconds: number;
  private readonly claimTimeoutMs: number;

  constructor(private readonly options: UploadsRepositoryOptions) {
    this.retentionSeconds = options.retentionSeconds ?? 24 * 60 * 60;
    this.claimTimeoutMs = options.claimTimeoutMs ?? 60_000;
  }

  async create(upload: ImageUploadRecord): Promise<void> {
    await this.options.documentClient.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          ...itemKeys.imageUpload(upload.productId, upload.uploadId),
          ...upload,
          [tableKeys.ttlAttribute]: Math.floor(Date.parse(upload.createdAt) / 1000) + this.retentionSeconds,
        },
      }),
    );
  }

  async claim(productId: string, uploadId: string, now = Date.now()): Promise<UploadClaim> {
    try {
      const { Attributes } = await this.options.documentClient.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: itemKeys.imageUpload(productId, uploadId),
          UpdateExpression: 'SET claimedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND #ttl > :nowSeconds AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
          ExpressionAttributeNames: { '#ttl': tableKeys.ttlAttribute },
          ExpressionAttributeValues: {
            ':now': now,
            ':nowSeconds': Math.floor(now / 1000),
            ':stale': now - this.claimTimeoutMs,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = Attributes ?? {};
      return {
        claimed: {
          productId,
          uploadId,
          contentType: item.contentType as UploadContentType,
          size: Number(item.size),
          createdAt: String(item.createdAt),
        },
      };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const { Item: existing } = await this.options.documentClient.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: itemKeys.imageUpload(productId, uploadId),
          ConsistentRead: true,
        }),
      );
      const live = existing && Number(existing[tableKeys.ttlAttribute]) > Math.floor(now / 1000);
      return live ? { busy: true } : { missing: true };
    }
  }

  /** Lets another attach try (this one failed for a reason that may pass). */
  async release(productId: string, uploadId: string): Promise<void> {
    await this.options.documentClient
      .send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: itemKeys.imageUpload(productId, uploadId),
          UpdateExpression: 'REMOVE claimedAt',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  async delete(productId: string, uploadId: string): Promise<void> {
    await this.options.documentClient.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: itemKeys.imageUpload(productId, uploadId) }),
    );
  }
}
