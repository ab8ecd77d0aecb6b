// Runs dynalite as its own process (started by the stand-in launcher), so that fault tests can
// kill or pause it like a real dependency. Usage: dynalite-server.ts --port <n> --path <dir>
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import dynalite from 'dynalite';

const { values } = parseArgs({ options: { port: { type: 'string' }, path: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || !values.path) {
  console.error('usage: dynalite-server.ts --port <port> --path <data directory>');
  process.exit(2);
}

const server = dynalite({ path: values.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(port, '127.0.0.1');
await once(server, 'listening');
console.log(`dynalite listening on http://127.0.0.1:${port} with data in ${values.path}`);

let closing = false;
function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  console.log(`dynalite stopping on ${signal}`);
  // Closing the server also closes LevelDB cleanly; idle keep-alive sockets must not hold it open.
  server.close((error) => process.exit(error ? 1 : 0));
  server.closeAllConnections();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
