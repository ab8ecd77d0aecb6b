import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newId } from '@shop/platform';

/**
 * Keeps the body of every request `documentClient` sends from now on, as it goes on the wire, so
 * a test can prove a value never reached DynamoDB.
 */
export function recordDynamoDbRequests(documentClient: DynamoDBDocumentClient): string[] {
  const sent: string[] = [];
  documentClient.middlewareStack.add(
    (next) => async (args) => {
      const { body } = args.request as { body?: unknown };
      sent.push(body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body));
      return next(args);
    },
    { step: 'build', name: 'recordRequestsForTest' },
  );
  return sent;
}

/** Whether `value` appears in any of the recorded request bodies (JSON text). */
export function sentToDynamoDb(sent: string[], value: string): boolean {
  const onTheWire = JSON.stringify(value).slice(1, -1);
  return sent.some((body) => body.includes(onTheWire));
}

/** Ids that are not ULIDs, near a real one: each as sent in the path and as the route would get it. */
export function malformedIds(realId: string): Array<[label: string, segment: string, id: string]> {
  const overLong = newId().repeat(80);
  return [
    [`an over-long id (${overLong.length} characters)`, overLong, overLong],
    ['a lower-case spelling of an existing id', realId.toLowerCase(), realId.toLowerCase()],
    ['an id one character too long', `${realId}7`, `${realId}7`],
    ['an id with a letter ULIDs never use', `${realId.slice(0, 25)}U`, `${realId.slice(0, 25)}U`],
    ['a prototype key', '__proto__', '__proto__'],
    ['an encoded NUL', `${realId.slice(0, 25)}%00`, `${realId.slice(0, 25)}\u0000`],
  ];
}
