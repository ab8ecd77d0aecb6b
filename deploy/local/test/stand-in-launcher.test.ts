import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:http2';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { createDynamoDbClient, createKinesisClient, tableIndexes } from '@shop/platform';
import test from 'ava';
import { type StandIns, startStandIns } from '../src/index.js';
import { allExit, isAlive, isListening } from './process-liveness.js';

const item = { pk: { S: 'PRODUCT#persisted' }, sk: { S: 'PRODUCT' }, name: { S: 'Trail shoe' } };
const recordData = 'shop.catalog.product.created.v1 persisted';

function clients(standIns: StandIns): { dynamoDb: DynamoDBClient; kinesis: KinesisClient } {
  return {
    dynamoDb: createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint }),
    kinesis: createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint }),
  };
}

function portOf(endpoint: string): number {
  return Number(new URL(endpoint).port);
}

async function readShard(kinesis: KinesisClient, streamName: string, shardId: string): Promise<string[]> {
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return Records.map((record) => Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'));
}

// One data directory lives through two starts, so the tests that share it run in order.
let dataDir = '';
let shardId = '';

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stand-ins-test-'));
});

test.after.always(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test.serial(
  'when the stand-ins start without ports, then they listen on random loopback ports with the table and stream ready',
  async (t) => {
    const standIns = await startStandIns({ dataDir });
    const { dynamoDb, kinesis } = clients(standIns);
    t.teardown(async () => {
      dynamoDb.destroy();
      kinesis.destroy();
      await standIns.stop();
    });

    t.regex(standIns.dynamoDbEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.regex(standIns.kinesisEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.not(portOf(standIns.dynamoDbEndpoint), 8000);
    t.not(portOf(standIns.kinesisEndpoint), 4567);
    t.is(standIns.motoEndpoint, undefined);
    t.is(standIns.processes.moto, undefined);
    const { Table } = await dynamoDb.send(new DescribeTableCommand({ TableName: 'shop' }));
    t.is(Table?.TableStatus, 'ACTIVE');
    t.deepEqual(
      Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort(),
      Object.values(tableIndexes)
        .map((index) => index.name)
        .sort(),
    );
    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: 'shop-events' }),
    );
    t.is(StreamDescriptionSummary?.StreamStatus, 'ACTIVE');
    t.is(StreamDescriptionSummary?.OpenShardCount, 2);
  },
);

test.serial(
  'when an item and a record are written, then they read back, and both survive stop() and a new start on the same data',
  async (t) => {
    const first = await startStandIns({ dataDir });
    const firstClients = clients(first);
    await firstClients.dynamoDb.send(new PutItemCommand({ TableName: first.tableName, Item: item }));
    const got = await firstClients.dynamoDb.send(
      new GetItemCommand({ TableName: first.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
    t.deepEqual(got.Item, item);
    const put = await firstClients.kinesis.send(
      new PutRecordCommand({ StreamName: first.streamName, PartitionKey: 'persisted', Data: Buffer.from(recordData) }),
    );
    shardId = put.ShardId ?? '';
    t.true((await readShard(firstClients.kinesis, first.streamName, shardId)).includes(recordData));

    firstClients.dynamoDb.destroy();
    firstClients.kinesis.destroy();
    const pids = [first.processes.dynamodb.pid, first.processes.kinesis.pid] as number[];
    const ports = [portOf(first.dynamoDbEndpoint), portOf(first.kinesisEndpoint)];
    await first.stop();

    t.false(pids.some(isAlive), 'a stand-in process is still running after stop()');
    t.deepEqual(await Promise.all(ports.map(isListening)), [false, false]);
    t.true(existsSync(dataDir), 'a data directory passed in must be kept');

    const second = await startStandIns({ dataDir });
    const secondClients = clients(second);
    t.teardown(async () => {
      secondClients.dynamoDb.destroy();
      secondClients.kinesis.destroy();
      await second.stop();
    });
    const again = await secondClients.dynamoDb.send(
      new GetItemCommand({ TableName: second.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
    t.deepEqual(again.Item, item);
    t.true((await readShard(secondClients.kinesis, second.streamName, shardId)).includes(recordData));
  },
);

test.serial(
  'when a stand-in is killed with SIGKILL, then restart() brings it back on the same endpoint with every write it acknowledged',
  async (t) => {
    const unexpected: string[] = [];
    const standIns = await startStandIns({ dataDir, onUnexpectedExit: (name) => unexpected.push(name) });
    const { dynamoDb, kinesis } = clients(standIns);
    t.teardown(async () => {
      dynamoDb.destroy();
      kinesis.destroy();
      await standIns.stop();
    });

    const killed = standIns.processes.dynamodb;
    process.kill(killed.pid as number, 'SIGKILL');
    await killed.exited;
    t.deepEqual(unexpected, ['dynamodb']);

    await standIns.restart('dynamodb');
    t.not(standIns.processes.dynamodb.pid, killed.pid);
    const again = await dynamoDb.send(
      new GetItemCommand({ TableName: standIns.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
    t.deepEqual(again.Item, item);

    // Every record Kinesis acknowledged must still be there after a kill, as in AWS.
    const acknowledged: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const data = Array.from({ length: 100 }, (_, index) => `acknowledged ${batch * 100 + index}`);
      const { FailedRecordCount } = await kinesis.send(
        new PutRecordsCommand({
          StreamName: standIns.streamName,
          Records: data.map((text) => ({ PartitionKey: 'persisted', Data: Buffer.from(text) })),
        }),
      );
      t.is(FailedRecordCount, 0);
      acknowledged.push(...data);
    }
    const killedKinesis = standIns.processes.kinesis;
    process.kill(killedKinesis.pid as number, 'SIGKILL');
    await killedKinesis.exited;
    t.deepEqual(unexpected, ['dynamodb', 'kinesis']);

    await standIns.restart('kinesis');
    const records = await readShard(kinesis, standIns.streamName, shardId);
    t.true(records.includes(recordData));
    t.deepEqual(
      records.filter((text) => text.startsWith('acknowledged ')),
      acknowledged,
    );
    await standIns.restart('kinesis');
    t.deepEqual(unexpected, ['dynamodb', 'kinesis'], 'a restart asked for is not an unexpected exit');
  },
);

test('when a client speaks cleartext HTTP/2, as the KCL daemon does, then Kinesis answers it on the same port', async (t) => {
  const standIns = await startStandIns();
  const session = connect(standIns.kinesisEndpoint);
  t.teardown(async () => {
    session.close();
    await standIns.stop();
  });
  const request = session.request({
    ':method': 'POST',
    ':path': '/',
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'Kinesis_20131202.ListShards',
    authorization:
      'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
    'x-amz-date': '20260101T000000Z',
  });
  request.end(JSON.stringify({ StreamName: standIns.streamName }));
  const [headers] = (await once(request, 'response')) as [Record<string, unknown>];
  const body = JSON.parse((await request.toArray()).join('')) as { Shards: unknown[] };
  t.is(headers[':status'], 200);
  t.is(body.Shards.length, 2);
});

test('when no data directory is given, then a temporary one is used and removed on stop()', async (t) => {
  const standIns = await startStandIns();
  t.true(existsSync(standIns.dataDir));
  await standIns.stop();
  t.false(existsSync(standIns.dataDir));
});

test('when a fixed port is taken, then startStandIns fails naming the port and starts nothing', async (t) => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.teardown(() => blocker.close());
  const { port } = blocker.address() as AddressInfo;
  await t.throwsAsync(startStandIns({ ports: { kinesis: port } }), {
    message: `Port ${port} is already in use; set ports.kinesis to use another`,
  });
});

test('when the process that started the stand-ins dies, then the stand-ins exit by themselves', async (t) => {
  const fixtureDataDir = await mkdtemp(join(tmpdir(), 'stand-ins-orphans-'));
  t.teardown(() => rm(fixtureDataDir, { recursive: true, force: true }));
  const fixture = fileURLToPath(new URL('./fixtures/stand-ins-parent.fixture.ts', import.meta.url));
  const parent = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), fixture, fixtureDataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => parent.kill('SIGKILL'));
  let stderr = '';
  parent.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const line = await Promise.race([
    once(createInterface({ input: parent.stdout }), 'line').then(([first]) => first as string),
    once(parent, 'exit').then(([code]) => {
      throw new Error(`the fixture exited with code ${code} before starting the stand-ins:\n${stderr}`);
    }),
  ]);
  const { pids } = JSON.parse(line) as { pids: number[] };
  t.is(pids.length, 3);
  t.true(pids.every(isAlive));

  parent.kill('SIGKILL');
  t.true(await allExit(pids, 10_000), `still running: ${pids.filter(isAlive).join(', ')}`);
});
