export type { AnalyticsWorkerOptions } from './analytics-launcher.js';
export { ensureAlertTopic, startAnalyticsWorker } from './analytics-launcher.js';
export {
  accepts,
  anyText,
  asJson,
  assertJsonLists,
  assertStatus,
  assertValidIdempotencyItem,
  type BodyCase,
  type BodyModel,
  blankIfMatch,
  blankText,
  bodies,
  bodyText,
  bodyValue,
  checkProperty,
  earlyAnswer,
  foreignCursor,
  type IfMatchCase,
  idempotencyKey,
  ifMatch,
  ifMatchHeader,
  isCursor,
  isIsoDate,
  jsonText,
  limitValue,
  longText,
  namesVersions,
  otherSegments,
  queryString,
  refusesField,
  routeParameter,
  type ServedApp,
  StatusTally,
  sendChecked,
  serverQuery,
  showAnswer,
  textWithControl,
  unknownQueryPair,
  writeHeaders,
} from './api-properties.js';
export type { ChildExit, SuperviseOptions } from './child-supervisor.js';
export { describeExit, nodeChildCommand, SupervisedChild, superviseChild } from './child-supervisor.js';
export { malformedIds, recordDynamoDbRequests, sentToDynamoDb } from './dynamodb-request-recorder.js';
export { forgedCredentials, poolSignedToken } from './forged-tokens.js';
export type { GatewayOptions, ServiceName } from './gateway-server.js';
export { createGateway } from './gateway-server.js';
export type { HttpProbeResult, WaitForHttpOptions } from './http-probe.js';
export { HttpWaitTimeoutError, probeHttp, waitForHttp } from './http-probe.js';
export { localStackConfig } from './local-stack.config.js';
export type { LocalUser, SignedIn, UserPool } from './local-user-pool.js';
export { ensureUserPool, findUserPool, localUsers, localUsersConfig, signIn, userPoolEnv } from './local-user-pool.js';
export { AnalyticsReader, eventually } from './metrics-reader.js';
export { nodeRuntimeNotice } from './node-runtime.js';
export { assertPortFree, findFreePort, findFreePorts, PortInUseError } from './port-finder.js';
export type { TableProvisioning } from './resource-provisioner.js';
export { ensureStream, ensureTable } from './resource-provisioner.js';
export type { ServiceProcess, ServiceProcessOptions } from './service-launcher.js';
export { serviceEnv, services, startServiceProcess } from './service-launcher.js';
export type { StandInName, StandIns, StandInsOptions } from './stand-in-launcher.js';
export { StandInStartError, startStandIns } from './stand-in-launcher.js';
export { TcpGate } from './tcp-gate.js';
export type { JsonResponse, StreamArrival, StreamReadOptions, TestTokens } from './test-kit.js';
export {
  isListening,
  readStreamArrivals,
  readStreamEvents,
  requestJson,
  serve,
  serveOnStandIns,
  startStandInsWithUsers,
} from './test-kit.js';
