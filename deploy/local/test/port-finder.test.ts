import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import test from 'ava';
import { assertPortFree, findFreePort, PortInUseError } from '../src/index.js';

test('when a port is taken, then assertPortFree names the port and the variable that moves it', async (t) => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.teardown(() => blocker.close());
  const { port } = blocker.address() as AddressInfo;
  const error = await t.throwsAsync(assertPortFree(port, 'DYNAMODB_PORT'), { instanceOf: PortInUseError });
  t.is(error?.message, `Port ${port} is already in use; set DYNAMODB_PORT to use another`);
});

test('when a port is taken on every interface, then assertPortFree reports it too', async (t) => {
  const blocker = createServer().listen(0);
  await once(blocker, 'listening');
  t.teardown(() => blocker.close());
  const { port } = blocker.address() as AddressInfo;
  await t.throwsAsync(assertPortFree(port, 'GATEWAY_PORT'), { instanceOf: PortInUseError });
});

test('when a free port is found, then it can be bound and assertPortFree accepts it', async (t) => {
  const port = await findFreePort();
  await t.notThrowsAsync(assertPortFree(port, 'MOTO_PORT'));
  const server = createServer().listen(port, '127.0.0.1');
  await once(server, 'listening');
  server.close();
  t.pass();
});
