import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

export interface LeaseRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  /** The KCL's lease table: its name is the KCL application's. */
  tableName: string;
}

/** Reads the KCL's lease table: one item per shard, keyed by `leaseKey`, naming its `leaseOwner`. */
export class LeaseRepository {
  constructor(private readonly options: LeaseRepositoryOptions) {}

  /** True while `workerId` holds the shard's lease (a consistent read, so a takeover shows at once). */
  async holds(shardId: string, workerId: string): Promise<boolean> {
    const { Item } = await this.options.documentClient.send(
      new GetCommand({ TableName: this.options.tableName, Key: { leaseKey: shardId }, ConsistentRead: true }),
    );
    return Item?.leaseOwner === workerId;
  }
}
