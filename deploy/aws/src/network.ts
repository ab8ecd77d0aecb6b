import { aws_ec2 as ec2, type aws_kms as kms, aws_logs as logs, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environments.js';

export interface NetworkProps {
  settings: EnvironmentSettings;
  /** Encrypts the flow logs' log group; its policy must let CloudWatch Logs use it (DataStores). */
  logsKey: kms.IKey;
}

/**
 * The VPC: public subnets for the load balancer and the NAT gateways, private subnets with egress
 * for the instances. Flow logs go to CloudWatch Logs. DynamoDB and S3 are reached through gateway
 * endpoints (free), Kinesis and CloudWatch Logs through interface endpoints: they carry every
 * event and every log line, which would otherwise pay NAT processing per GB.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly flowLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { settings } = props;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: settings.maxAzs,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      // Nothing may use the default security group; CDK strips its rules.
      restrictDefaultSecurityGroup: true,
    });

    this.flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: props.logsKey,
      retention: settings.retainData ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogs),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    const privateSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.vpc.addGatewayEndpoint('DynamoDb', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [privateSubnets],
    });
    // The instances download the app bundle and packages from S3.
    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [privateSubnets] });
    // The endpoints' security group admits HTTPS from the VPC's CIDR only (`open`, the default).
    this.vpc.addInterfaceEndpoint('Kinesis', {
      service: ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
      subnets: privateSubnets,
    });
    this.vpc.addInterfaceEndpoint('Logs', {
      service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      subnets: privateSubnets,
    });
  }
}
