import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@shop/platform';

/**
 * Reads the analytics fleet's output back from moto server (or CloudWatch): metric sums and the
 * messages of an SNS topic, through an SQS queue subscribed to it.
 */
export class AnalyticsReader {
  private readonly cloudWatch: CloudWatchClient;
  private readonly sqs: SQSClient;
  private readonly sns: SNSClient;

  constructor(
    region: string,
    endpoint: string,
    private readonly namespace: string,
  ) {
    this.cloudWatch = new CloudWatchClient(awsClientConfig({ region, endpoint }));
    this.sqs = new SQSClient(awsClientConfig({ region, endpoint }));
    this.sns = new SNSClient(awsClientConfig({ region, endpoint }));
  }

  /**
   * The sum of a metric over the last hour for exactly these dimensions. (moto matches any
   * dimensions when none are given, so a total is read as the sum over one dimension instead.)
   */
  async sum(metricName: string, dimensions: Record<string, string>): Promise<number> {
    const now = Date.now();
    const { MetricDataResults = [] } = await this.cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 3600_000),
        EndTime: new Date(now + 600_000),
        MetricDataQueries: [
          {
            Id: 'm',
            MetricStat: {
              Metric: {
                Namespace: this.namespace,
                MetricName: metricName,
                Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
              },
              Period: 3600,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    return (MetricDataResults[0]?.Values ?? []).reduce((total, value) => total + value, 0);
  }

  /** The sum of a metric over every value of one dimension (e.g. EventsProcessed by EventType). */
  async sumOver(metricName: string, dimensionName: string): Promise<number> {
    const { Metrics = [] } = await this.cloudWatch.send(
      new ListMetricsCommand({ Namespace: this.namespace, MetricName: metricName }),
    );
    let total = 0;
    for (const metric of Metrics) {
      const dimensions = metric.Dimensions ?? [];
      if (dimensions.length !== 1 || dimensions[0]?.Name !== dimensionName) continue;
      total += await this.sum(metricName, { [dimensionName]: dimensions[0].Value ?? '' });
    }
    return total;
  }

  /** Subscribes a new SQS queue to the topic (raw delivery); returns a function reading its messages. */
  async subscribe(topicArn: string, queueName: string): Promise<() => Promise<string[]>> {
    const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await this.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    // Messages are left in the queue and come back after their visibility timeout: keyed by id.
    const received = new Map<string, string>();
    return async () => {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const message of Messages) received.set(message.MessageId ?? '', message.Body ?? '');
      return [...received.values()];
    };
  }

  destroy(): void {
    this.cloudWatch.destroy();
    this.sqs.destroy();
    this.sns.destroy();
  }
}

/** Polls `read` until `done` holds for its value or the time is up; returns the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
