import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/** PutMetricData takes at most 1,000 datums per call. */
export const maxDatumsPerCall = 1000;

export interface MetricSink {
  /** Publishes the datums; resolves with the number of calls it took. */
  publish(datums: MetricDatum[]): Promise<number>;
}

/** Publishes datums in as few PutMetricData calls as the API allows; the SDK retries with backoff. */
export class CloudWatchMetricSink implements MetricSink {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly namespace: string,
  ) {}

  async publish(datums: MetricDatum[]): Promise<number> {
    let calls = 0;
    for (let start = 0; start < datums.length; start += maxDatumsPerCall) {
      calls += 1;
      await this.client.send(
        new PutMetricDataCommand({
          Namespace: this.namespace,
          MetricData: datums.slice(start, start + maxDatumsPerCall),
        }),
      );
    }
    return calls;
  }
}
