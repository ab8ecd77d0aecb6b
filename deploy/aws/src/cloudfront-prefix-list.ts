import {
  custom_resources as cr,
  aws_iam as iam,
  type aws_kms as kms,
  aws_logs as logs,
  RemovalPolicy,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The name of CloudFront's origin-facing managed prefix list; AWS gives it the same name in every region. */
export const cloudFrontOriginFacingPrefixList = 'com.amazonaws.global.cloudfront.origin-facing';

export interface CloudFrontPrefixListProps {
  /** Encrypts the lookup's log group; its policy must let CloudWatch Logs use it (DataStores). */
  logsKey: kms.IKey;
  /** The lookup's log group outlives the stack (prod); by default it goes with it. */
  retainLogs?: boolean;
}

/**
 * The id of CloudFront's origin-facing prefix list in the stack's region. The id differs per
 * region, and a synth-time lookup (`fromLookup`) needs credentials, so a custom resource asks EC2
 * for it when the stack deploys and synthesis stays offline.
 */
export class CloudFrontPrefixList extends Construct {
  readonly prefixListId: string;
  /** The role of the lookup's handler. */
  readonly role: iam.Role;
  readonly lookup: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: CloudFrontPrefixListProps) {
    super(scope, id);
    // A role and log group of our own, as for the web deployment: no AWSLambdaBasicExecutionRole,
    // and the handler's log has a retention.
    const logGroup = new logs.LogGroup(this, 'LookupLogs', {
      encryptionKey: props.logsKey,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'LookupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: "shop-platform: looks up the id of CloudFront's origin-facing prefix list",
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'Logs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // Describe calls have no resource-level permissions.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DescribePrefixLists',
        actions: ['ec2:DescribeManagedPrefixLists'],
        resources: ['*'],
      }),
    );

    const describe: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'DescribeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [cloudFrontOriginFacingPrefixList] }] },
      physicalResourceId: cr.PhysicalResourceId.of(cloudFrontOriginFacingPrefixList),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    };
    this.lookup = new cr.AwsCustomResource(this, 'Lookup', {
      onCreate: describe,
      onUpdate: describe,
      role: this.role,
      logGroup,
      // The Lambda runtime's SDK suffices for one describe call, and the handler needs no npm.
      installLatestAwsSdk: false,
    });
    this.prefixListId = this.lookup.getResponseField('PrefixLists.0.PrefixListId');
  }
}
