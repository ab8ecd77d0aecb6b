import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/** PutMetricData takes at most 1,000 datums per call. */
export const maxDatumsPerCall = 1000;

export interface MetricSink {
  publish(datums: MetricDatum[]): Promise<void>;
}

/** Publishes datums in as few PutMetricData calls as the API allows; the SDK retries with backoff. */
export class CloudWatchMetricSink implements MetricSink {
  calls = 0;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly namespace: string,
  ) {}

  async publish(datums: MetricDatum[]): Promise<void> {
    for (let start = 0; start < datums.length; start += maxDatumsPerCall) {
      this.calls += 1;
      await this.client.send(
        new PutMetricDataCommand({
          Namespace: this.namespace,
          MetricData: datums.slice(start, start + maxDatumsPerCall),
        }),
      );
    }
  }
}
