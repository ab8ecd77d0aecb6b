import type { ConfigOf } from '@shop/platform';
import type { analyticsConfig } from '../analytics.config.js';

export type AnalyticsConfig = ConfigOf<typeof analyticsConfig>;

/** How long the daemon's shutdown hook waits for the record processors to publish and checkpoint. */
export const shutdownGraceMillis = 20000;

/**
 * The MultiLangDaemon's properties. Names are case-sensitive and a misspelt one is silently
 * ignored, so they live here only. Polling retrieval is explicit (the default is enhanced fan-out,
 * which the stand-ins do not offer and which costs extra in AWS).
 */
export function kclProperties(config: AnalyticsConfig, executableName: string, workerId: string): string {
  const local = Boolean(config.kinesisEndpoint);
  const properties: Record<string, string | number | boolean> = {
    executableName,
    streamName: config.streamName,
    applicationName: config.applicationName,
    regionName: config.region,
    AwsCredentialsProvider: 'DefaultCredentialsProvider',
    initialPositionInStream: config.initialPosition,
    retrievalMode: 'POLLING',
    processingLanguage: `nodejs/${process.versions.node.split('.')[0]}`,
    // Quiet shards still get a call each poll, so their windows close on time.
    callProcessRecordsEvenForEmptyRecordList: true,
    // Kinesis allows five GetRecords calls per second and shard.
    idleTimeBetweenReadsInMillis: 250,
    failoverTimeMillis: config.failoverTimeMillis,
    shutdownGraceMillis,
    shardSyncIntervalMillis: local ? 1000 : 60000,
    metricsLevel: local ? 'NONE' : 'SUMMARY',
    ...(config.kinesisEndpoint ? { kinesisEndpoint: config.kinesisEndpoint } : {}),
    ...(config.dynamoDbEndpoint ? { dynamoDBEndpoint: config.dynamoDbEndpoint } : {}),
    workerId,
  };
  return `${Object.entries(properties)
    .map(([name, value]) => `${name} = ${value}`)
    .join('\n')}\n`;
}
