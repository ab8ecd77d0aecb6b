import {
  type CfnElement,
  aws_lambda as lambda,
  aws_opensearchservice as opensearch,
  type Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

interface Acknowledgement {
  id: string;
  reason: string;
}

/** Acknowledgements for every resource of the stack. */
const stackWide: Acknowledgement[] = [
  {
    id: 'AwsSolutions-CFR4',
    reason:
      'Without a hosted zone (-c hostedZone) the distribution has no domain of its own and uses the default *.cloudfront.net certificate, whose policy is fixed; with one, it gets a DNS-validated certificate and Edge sets TLSv1.2_2021.',
  },
  {
    id: 'AwsSolutions-CFR1',
    reason: 'The storefront sells worldwide; no country is blocked at the edge (the WAF rules apply everywhere).',
  },
  {
    id: 'AwsSolutions-COG2',
    reason: 'MFA is optional (TOTP) for staff sign-in; threat protection is enforced, and shoppers do not sign in.',
  },
  {
    id: 'AwsSolutions-KDS3',
    reason:
      'The stream is encrypted with the platform customer-managed KMS key (rotated), which gives more control than the AWS-managed key the rule asks for.',
  },
];

function constructsEndingWith(stack: Stack, suffix: string): IConstruct[] {
  const found = stack.node.findAll().filter((construct) => construct.node.path.endsWith(suffix));
  if (found.length === 0) throw new Error(`nag acknowledgement: no construct ends with ${suffix}`);
  return found;
}

function logicalIdOf(stack: Stack, suffix: string): string {
  return stack.getLogicalId(constructsEndingWith(stack, suffix)[0] as CfnElement);
}

/**
 * The cdk-nag AwsSolutions findings this design accepts, each on the constructs it concerns and
 * with its reason. The app and the tests both apply them, so a new finding fails the tests until
 * it is fixed or justified here.
 */
export function applyNagSuppressions(stack: Stack): void {
  for (const acknowledgement of stackWide) Validations.of(stack).acknowledge(acknowledgement);
  const at = (suffix: string, acknowledgement: Acknowledgement) => {
    for (const construct of constructsEndingWith(stack, suffix)) Validations.of(construct).acknowledge(acknowledgement);
  };
  const serviceRoles = ['Compute/CatalogRole', 'Compute/InventoryRole'];
  const groups = [
    'Compute/CatalogGroup/ASG',
    'Compute/InventoryGroup/ASG',
    'Compute/AnalyticsGroup/ASG',
    'Compute/SearchIndexerGroup/ASG',
  ];

  at('Compute/CloudFrontPrefixList/LookupRole/DefaultPolicy/Resource', {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "ec2:DescribeManagedPrefixLists, the lookup of CloudFront's origin-facing prefix list id at deploy time, has no resource-level permissions.",
  });
  for (const endpoint of ['Network/Vpc/Kinesis/SecurityGroup/Resource', 'Network/Vpc/Logs/SecurityGroup/Resource']) {
    at(endpoint, {
      id: 'AwsSolutions-EC23',
      reason:
        "Interface endpoint security groups admit HTTPS only from the VPC's own CIDR, a token the rule cannot evaluate.",
    });
  }
  at('Compute/AlbAccessLogs/Resource', {
    id: 'AwsSolutions-S1',
    reason:
      'This bucket is the destination of the ALB access logs; logging access to the log bucket itself would need another bucket nobody reads.',
  });
  // Each role's reason for its actions on '*', which the rule reports once per policy.
  const unscopedActions: [role: string, reason: string][] = [
    ['Compute/CatalogRole', 'The X-Ray actions have no resource-level permissions.'],
    [
      'Compute/InventoryRole',
      'The X-Ray actions, cloudwatch:GetMetricData and cloudwatch:ListMetrics have no resource-level permissions, and the cloudwatch:namespace condition key does not apply to GetMetricData or ListMetrics; the metric reads (the staff dashboard) are held to the stack region by aws:RequestedRegion.',
    ],
    [
      'Compute/AnalyticsRole',
      'The X-Ray actions and cloudwatch:PutMetricData have no resource-level permissions; PutMetricData is limited to the platform namespaces by condition.',
    ],
    [
      'Compute/SearchIndexerRole',
      'The X-Ray actions and cloudwatch:PutMetricData have no resource-level permissions; PutMetricData is limited to the KCL namespace shop-search-indexer by condition.',
    ],
  ];
  for (const [role, reason] of unscopedActions) {
    at(`${role}/Resource`, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason:
        'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for Session Manager, which replaces SSH (no key pairs, no inbound ports).',
    });
    at(`${role}/DefaultPolicy/Resource`, { id: 'AwsSolutions-IAM5[Resource::*]', reason });
  }
  const table = logicalIdOf(stack, 'Data/Table/Resource');
  for (const role of serviceRoles) {
    at(`${role}/DefaultPolicy/Resource`, {
      id: `AwsSolutions-IAM5[Resource::<${table}.Arn>/index/*]`,
      reason:
        "Queries on the shared table's own global secondary indexes; the wildcard covers this table's indexes only.",
    });
  }
  // The finding names the account as cdk-nag renders it: a literal when the stack has one.
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  at('Compute/AnalyticsRole/DefaultPolicy/Resource', {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:${region}:${account}:table/shop-analytics*]`,
    reason:
      'The KCL creates and owns its lease, worker-metrics and coordinator tables, all named with the application name prefix shop-analytics.',
  });
  at('Compute/SearchIndexerRole/DefaultPolicy/Resource', {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:${region}:${account}:table/shop-search-indexer*]`,
    reason:
      'The KCL creates and owns its lease, worker-metrics and coordinator tables, all named with the application name prefix shop-search-indexer.',
  });
  for (const role of ['Compute/AnalyticsRole', 'Compute/SearchIndexerRole']) {
    at(`${role}/DefaultPolicy/Resource`, {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, 'Data/Events/Resource')}.Arn>/consumer/*]`,
      reason: 'Enhanced fan-out consumers the KCL registers on this stream only.',
    });
  }
  acknowledgeMedia(stack, at);
  acknowledgeSearchDomain(stack, at);
  acknowledgeWebDeployment(stack, at);
  for (const group of groups) {
    at(group, {
      id: 'AwsSolutions-EC26',
      reason:
        'Root volumes are encrypted in the launch template (asserted in compute.test.ts); the rule cannot read the launch template of a mixed instances policy and fails with an error.',
    });
    at(group, {
      id: 'AwsSolutions-AS3',
      reason:
        'With Spot and capacity rebalancing, launches and terminations are routine; they stay in the group activity history and CloudTrail, and alarms page on their effects (5xx, latency, iterator age) instead.',
    });
  }
}

/**
 * Product images: catalog's role works on objects under one key prefix of each media bucket, whose
 * keys it makes per upload and per image.
 */
function acknowledgeMedia(stack: Stack, at: (suffix: string, acknowledgement: Acknowledgement) => void): void {
  at('Compute/CatalogRole/DefaultPolicy/Resource', {
    id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, 'Media/UploadBucket/Resource')}.Arn>/uploads/*]`,
    reason:
      'Each upload gets a key catalog makes (uploads/<productId>/<uploadId>): it signs the presigned POST for it, reads it and deletes it. The wildcard covers the uploads/ prefix of the upload bucket only.',
  });
  at('Compute/CatalogRole/DefaultPolicy/Resource', {
    id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, 'Media/MediaBucket/Resource')}.Arn>/media/*]`,
    reason:
      'Each image size gets a key catalog makes (media/<productId>/<imageId>/<width>.webp), which it writes and deletes. The wildcard covers the media/ prefix of the media bucket only, with no read or list.',
  });
}

/**
 * The search domain: in the VPC, reached by two security groups, and in dev a single node. The
 * indexer's role writes the product index and its generations, whose names follow the alias.
 */
function acknowledgeSearchDomain(stack: Stack, at: (suffix: string, acknowledgement: Acknowledgement) => void): void {
  const domain = logicalIdOf(stack, 'Search/Domain/Resource');
  at('Search/Domain/Resource', {
    id: 'AwsSolutions-OS3',
    reason:
      'The domain is in the VPC, where the service takes no IP-based access policy; its security group admits HTTPS from the catalog and search indexer groups only, and every request is SigV4-signed and checked by fine-grained access control.',
  });
  const cfnDomain = constructsEndingWith(stack, 'Search/Domain/Resource')[0];
  if (!(cfnDomain instanceof opensearch.CfnDomain)) throw new Error('nag acknowledgement: no search domain');
  const cluster = stack.resolve(cfnDomain.clusterConfig) as {
    dedicatedMasterEnabled?: boolean;
    zoneAwarenessEnabled?: boolean;
  };
  if (!cluster.dedicatedMasterEnabled) {
    at('Search/Domain/Resource', {
      id: 'AwsSolutions-OS4',
      reason:
        "Non-production runs one data node, which is its own cluster manager; dedicated masters would triple the domain's cost for a cluster of one. Prod has three.",
    });
  }
  if (!cluster.zoneAwarenessEnabled) {
    at('Search/Domain/Resource', {
      id: 'AwsSolutions-OS7',
      reason:
        'Non-production runs one data node, so there is no second zone to spread shards across; the index is rebuilt from the table and the stream. Prod spans three zones with a standby.',
    });
  }
  for (const path of ['products/*', 'products-*']) {
    at('Compute/SearchIndexerRole/DefaultPolicy/Resource', {
      id: `AwsSolutions-IAM5[Resource::<${domain}.Arn>/${path}]`,
      reason:
        'The search indexer writes documents of the product index (update, bulk, delete under products/) and creates its generations (products-v1, products-v2, ...) behind the alias; the wildcards cover those index paths of this domain only.',
    });
  }
}

/**
 * The web deployment's handler: aws-cdk-lib's BucketDeployment picks its runtime; WebContent gives
 * it its own role with explicit statements (web-content.ts), which leaves one resource wildcard.
 */
function acknowledgeWebDeployment(stack: Stack, at: (suffix: string, acknowledgement: Acknowledgement) => void): void {
  at('Web/HandlerRole/DefaultPolicy/Resource', {
    id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, 'Edge/Web/Resource')}.Arn>/*]`,
    reason:
      "The sync writes and prunes the whole site, whose object keys change with every build: s3:PutObject, s3:DeleteObject and s3:AbortMultipartUpload on the web bucket's objects only.",
  });

  const handlers = stack.node
    .findAll()
    .filter(
      (construct) =>
        construct instanceof lambda.CfnFunction && construct.node.path.includes('/Custom::CDKBucketDeployment'),
    );
  if (handlers.length === 0) throw new Error('nag acknowledgement: no BucketDeployment handler in the stack');
  for (const handler of handlers) {
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "The BucketDeployment handler's Python runtime is set by aws-cdk-lib and moves forward with its upgrades; the app cannot choose it.",
    });
  }
}
