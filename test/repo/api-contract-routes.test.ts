import { apiDocument } from '@shop/contracts';
import {
  type AppState,
  createCognitoVerifier,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createLogger,
  KinesisEventPublisher,
  type ServiceAppDeps,
} from '@shop/platform';
import test from 'ava';
import type Koa from 'koa';
import { createApp as createCatalogApp } from '../../services/catalog/src/app.js';
import { createApp as createInventoryApp } from '../../services/inventory/src/app.js';

/** Dependencies that are never called: building an app only registers its routes. */
function idleDeps(): ServiceAppDeps {
  const nowhere = { region: 'us-east-1', endpoint: 'http://127.0.0.1:9' };
  const logger = createLogger({ name: 'contract-routes', level: 'silent' });
  return {
    documentClient: createDocumentClient(createDynamoDbClient(nowhere)),
    tableName: 'shop',
    publisher: new KinesisEventPublisher({ client: createKinesisClient(nowhere), streamName: 'shop', logger }),
    logger,
    auth: createCognitoVerifier({
      userPoolId: 'us-east-1_contract',
      clientId: 'contract',
      jwksUri: 'http://127.0.0.1:9',
    }),
  };
}

interface RouterLayer {
  path: string;
  methods: string[];
}

/** `METHOD /path/{param}` for every route a Koa app's routers serve (HEAD and OPTIONS are implied). */
function servedOperations(app: Koa<AppState>): string[] {
  const layers = app.middleware.flatMap(
    (middleware) => (middleware as { router?: { stack: RouterLayer[] } }).router?.stack ?? [],
  );
  return layers.flatMap((layer) => {
    const path = layer.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}') || '/';
    return layer.methods
      .filter((method) => method !== 'HEAD' && method !== 'OPTIONS')
      .map((method) => `${method} ${path}`);
  });
}

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

test('when the services are built, then every route they serve is in the contract and every operation of the contract is served', (t) => {
  const deps = idleDeps();
  const served = new Set([...servedOperations(createCatalogApp(deps)), ...servedOperations(createInventoryApp(deps))]);
  const document = apiDocument();
  const contracted = new Set(
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => httpMethods.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );
  t.true(served.size > 10, `the routes were read from the apps: ${[...served].join(', ')}`);
  t.deepEqual([...served].filter((operation) => !contracted.has(operation)).sort(), [], 'routes the contract lacks');
  t.deepEqual([...contracted].filter((operation) => !served.has(operation)).sort(), [], 'operations no route serves');
});
