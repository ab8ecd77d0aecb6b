import type {
  aws_autoscaling as autoscaling,
  aws_cognito as cognito,
  aws_dynamodb as dynamodb,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_kinesis as kinesis,
  aws_kms as kms,
  aws_sns as sns,
} from 'aws-cdk-lib';

/** The stores every component reads or writes, with the keys that encrypt them. */
export interface DataStoreRefs {
  key: kms.IKey;
  table: dynamodb.ITable;
  stream: kinesis.IStream;
  alertsTopic: sns.ITopic;
}

/** Sign-in for the staff console and API clients. */
export interface IdentityRefs {
  userPool: cognito.IUserPool;
  appClient: cognito.IUserPoolClient;
}

/** One service's fleet behind the ALB. */
export interface ServiceFleet {
  name: 'catalog' | 'inventory';
  group: autoscaling.AutoScalingGroup;
  targetGroup: elbv2.ApplicationTargetGroup;
}

/** What the compute layer exposes to the edge and to monitoring. */
export interface ComputeRefs {
  vpc: ec2.IVpc;
  alb: elbv2.ApplicationLoadBalancer;
  services: ServiceFleet[];
  analyticsGroup: autoscaling.AutoScalingGroup;
}
