// The gateway the storefront benchmarks go through: the local stand-in for the ALB (createGateway,
// routing /api/* by the shared route table), run as its own process as the ALB is its own hop.
// Environment: GATEWAY_PORT, and CATALOG_URL / INVENTORY_URL for the services it fronts.
import { once } from 'node:events';
import { createGateway, type ServiceName } from '@shop/local-stack';
import { createLogger } from '@shop/platform';
import { httpServiceSpecs } from '@shop/topology';

const port = Number(process.env.GATEWAY_PORT);
const targets: Partial<Record<ServiceName, string>> = {};
for (const { name } of httpServiceSpecs) {
  const url = process.env[`${name.toUpperCase()}_URL`];
  if (url) targets[name] = url;
}

const server = createGateway({
  targets,
  logger: createLogger({ name: 'gateway', level: process.env.LOG_LEVEL ?? 'warn' }),
});
server.listen(port, '127.0.0.1');
await once(server, 'listening');

const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
