import type { HttpServiceName } from '@shop/topology';
import type {
  aws_autoscaling as autoscaling,
  aws_cognito as cognito,
  aws_dynamodb as dynamodb,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_kinesis as kinesis,
  aws_kms as kms,
  aws_s3 as s3,
  aws_sns as sns,
} from 'aws-cdk-lib';

/** The stores every component reads or writes, with the keys that encrypt them. */
export interface DataStoreRefs {
  key: kms.IKey;
  table: dynamodb.ITable;
  stream: kinesis.IStream;
  alertsTopic: sns.ITopic;
}

/** The search domain as its clients see it: where it is, and the group that admits them. */
export interface SearchRefs {
  /** The domain's ARN; the index paths a role may call are under it (`<arn>/products/_search`). */
  domainArn: string;
  /** The domain's host name in the VPC; clients call `https://<domainEndpoint>`, signed with SigV4. */
  domainEndpoint: string;
  /** Admits HTTPS from the groups of the domain's clients only (added by Compute). */
  securityGroup: ec2.ISecurityGroup;
}

/** The product media buckets as catalog sees them (MediaBuckets). */
export interface MediaRefs {
  /** Private; staff browsers POST uploads to it, catalog reads and deletes them. */
  uploadBucket: s3.IBucket;
  /** Private; catalog writes the checked sizes, CloudFront serves them under `/media/`. */
  mediaBucket: s3.IBucket;
}

/** Sign-in for the staff console and API clients. */
export interface IdentityRefs {
  userPool: cognito.IUserPool;
  appClient: cognito.IUserPoolClient;
}

/** One service's fleet behind the ALB. */
export interface ServiceFleet {
  name: HttpServiceName;
  group: autoscaling.AutoScalingGroup;
  targetGroup: elbv2.ApplicationTargetGroup;
  /** The instances' group: the service port from the ALB only. */
  securityGroup: ec2.SecurityGroup;
}

/** What the compute layer exposes to the edge and to monitoring. */
export interface ComputeRefs {
  vpc: ec2.IVpc;
  alb: elbv2.ApplicationLoadBalancer;
  services: ServiceFleet[];
  analyticsGroup: autoscaling.AutoScalingGroup;
}
