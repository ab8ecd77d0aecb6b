// Runs kinesalite as its own process (started by the stand-in launcher), so that fault tests can
// kill or pause it like a real dependency. Usage: kinesalite-server.ts --port <n> [--path <dir>]
// Without --path the stream lives in memory (benchmarks); with it, every record kinesalite
// acknowledges is already in LevelDB's log, so it survives a kill -9.
//
// One port speaks both HTTP/1.1 (the JavaScript SDK, curl) and cleartext HTTP/2 with prior
// knowledge, which is all the KCL daemon's Kinesis client speaks (it has no setting for
// HTTP/1.1). The first bytes of a connection tell which one it is.
import { once } from 'node:events';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import kinesalite from 'kinesalite';

const { values } = parseArgs({ options: { port: { type: 'string' }, path: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: kinesalite-server.ts --port <port> [--path <data directory>]');
  process.exit(2);
}

const http1 = kinesalite({
  ...(values.path ? { path: values.path } : {}),
  createStreamMs: 0,
  deleteStreamMs: 0,
  updateStreamMs: 0,
  shardLimit: 100,
});
const [handler] = http1.listeners('request') as Array<Parameters<typeof createHttp2Server>[1]>;
// Both protocols reach the same handler and so the same LevelDB store.
const http2 = createHttp2Server(handler);

const http2Preface = Buffer.from('PRI * HTTP/2.0\r\n');

function dispatch(socket: Socket) {
  let seen = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  socket.on('data', function sniff(chunk: Buffer) {
    seen = Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, http2Preface.length);
    const isHttp2 = seen.subarray(0, compared).equals(http2Preface.subarray(0, compared));
    if (isHttp2 && seen.length < http2Preface.length) return;
    socket.removeListener('data', sniff);
    socket.pause();
    socket.unshift(seen);
    (isHttp2 ? http2 : http1).emit('connection', socket);
    process.nextTick(() => socket.resume());
  });
}

const server = createServer(dispatch);
server.listen(port, '127.0.0.1');
await once(server, 'listening');
console.log(
  `kinesalite listening on http://127.0.0.1:${port} with data ${values.path ? `in ${values.path}` : 'in memory'}`,
);

function isNotRunning(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_SERVER_NOT_RUNNING';
}

let closing = false;
function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  console.log(`kinesalite stopping on ${signal}`);
  server.close();
  http2.close();
  // kinesalite's close() closes LevelDB first, then the HTTP server, which never listened itself.
  http1.close((error) => process.exit(error && !isNotRunning(error) ? 1 : 0));
  http1.closeAllConnections();
  setTimeout(() => {
    console.error('kinesalite did not close within 5 s');
    process.exit(1);
  }, 5_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
