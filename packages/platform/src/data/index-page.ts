import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexDefinition } from './table-schema.js';

export interface IndexPageQuery {
  tableName: string;
  index: IndexDefinition;
  partitionValue: string;
  limit: number;
  /** Continue after this item: its table key plus its index key. */
  after?: Record<string, unknown>;
}

/**
 * One page of an index partition in sort-key order. It reads one item more than the page, so the
 * last page is known to be last (no cursor to an empty page).
 */
export async function queryIndexPage(
  documentClient: DynamoDBDocumentClient,
  query: IndexPageQuery,
): Promise<{ items: Array<Record<string, unknown>>; hasMore: boolean }> {
  const items: Array<Record<string, unknown>> = [];
  let startKey = query.after;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: query.tableName,
        IndexName: query.index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': query.index.partitionKey },
        ExpressionAttributeValues: { ':pk': query.partitionValue },
        Limit: query.limit + 1 - items.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length <= query.limit);
  return { items: items.slice(0, query.limit), hasMore: items.length > query.limit };
}
