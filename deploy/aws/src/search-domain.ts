import {
  Aws,
  Duration,
  aws_ec2 as ec2,
  aws_iam as iam,
  type aws_kms as kms,
  aws_logs as logs,
  aws_opensearchservice as opensearch,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SearchRefs } from './contracts.js';
import type { EnvironmentSettings } from './environments.js';

/**
 * The alias catalog searches and the search indexer writes through: `SEARCH_INDEX`'s default in
 * @shop/product-index. Its generations (`products-v1`, …) sit behind it.
 */
export const productIndexAlias = 'products';

/** The engine the local node runs (deploy/local), so both speak the same API. */
export const searchEngineVersion = opensearch.EngineVersion.OPENSEARCH_2_19;

/** The domain's name: fixed, so its ARN is known before it exists (the access and log policies name it). */
export function searchDomainName(settings: EnvironmentSettings): string {
  return `shop-${settings.name}-search`;
}

/** What each client of the domain may call: HTTP verbs on paths under the domain's ARN. */
export interface SearchAccess {
  actions: string[];
  resources: string[];
}

/**
 * The search indexer's writes: the index generations behind the alias (create, update, bulk,
 * delete), writes through the alias, and the alias itself (look up, point at a generation).
 */
export function indexerAccess(domainArn: string): SearchAccess {
  return {
    actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'],
    resources: [
      `${domainArn}/${productIndexAlias}`,
      `${domainArn}/${productIndexAlias}/*`,
      `${domainArn}/${productIndexAlias}-*`,
      `${domainArn}/_alias/${productIndexAlias}`,
      `${domainArn}/_aliases`,
    ],
  };
}

/** Catalog's reads: searches through the alias (GET, or POST with a body); the index belongs to its writer. */
export function catalogAccess(domainArn: string): SearchAccess {
  return {
    actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost'],
    resources: [`${domainArn}/${productIndexAlias}/_search`],
  };
}

export interface SearchDomainProps {
  settings: EnvironmentSettings;
  vpc: ec2.IVpc;
  /** Encrypts the domain's volumes and its log groups (DataStores). */
  key: kms.IKey;
  /** Where the nodes sit, one subnet per zone used: the private subnets unless given. */
  subnets?: ec2.SubnetSelection;
}

/**
 * The product index's engine: an Amazon OpenSearch Service domain in the private subnets, HTTPS
 * only (TLS 1.2), encrypted at rest with the platform key and between nodes, with fine-grained
 * access control whose master user is an IAM role (`adminRole`). Catalog and the search indexer
 * sign their requests with their instance roles; what each may call is in its role's policy
 * (component-roles.ts), and what each may do inside the engine is the role mapping made once with
 * the admin role (docs/architecture.md, Search on AWS). Slow, error and audit logs go to CloudWatch.
 */
export class SearchDomain extends Construct implements SearchRefs {
  readonly domain: opensearch.Domain;
  readonly securityGroup: ec2.SecurityGroup;
  /** The fine-grained access control master user: for the role mappings, assumed by operators. */
  readonly adminRole: iam.Role;
  readonly domainArn: string;
  readonly domainEndpoint: string;
  readonly settings: EnvironmentSettings;
  /** The domain's slow search, slow index, error (application) and audit logs. */
  readonly logGroups: logs.LogGroup[];

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const { settings, vpc, key } = props;
    const nodes = settings.search;
    this.settings = settings;
    const domainName = searchDomainName(settings);
    const removalPolicy = settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // Built from the name, not the domain's attribute: the domain's own policies name it.
    const domainArn = Stack.of(this).formatArn({ service: 'es', resource: 'domain', resourceName: domainName });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `shop-platform ${settings.name} search domain: HTTPS from catalog and the search indexer only`,
      allowAllOutbound: false,
    });

    this.adminRole = new iam.Role(this, 'AdminRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: `shop-platform ${settings.name} search domain: fine-grained access control master user (role mappings)`,
      maxSessionDuration: Duration.hours(1),
    });

    const domainLogs = searchLogs(this, settings, key, domainArn);
    const privateSubnets = vpc.selectSubnets(
      props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ).subnets;
    const zoneCount = Math.min(nodes.dataNodes, privateSubnets.length);
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName,
      version: searchEngineVersion,
      // A new engine version is an in-place blue/green upgrade, not a new domain.
      enableVersionUpgrade: true,
      vpc,
      vpcSubnets: [{ subnets: privateSubnets.slice(0, zoneCount) }],
      securityGroups: [this.securityGroup],
      capacity: {
        dataNodes: nodes.dataNodes,
        dataNodeInstanceType: nodes.dataNodeType,
        multiAzWithStandbyEnabled: nodes.standby,
        ...(nodes.masterNodes > 0
          ? { masterNodes: nodes.masterNodes, masterNodeInstanceType: nodes.masterNodeType }
          : {}),
      },
      zoneAwareness: zoneCount > 1 ? { enabled: true, availabilityZoneCount: zoneCount } : { enabled: false },
      ebs: { enabled: true, volumeType: ec2.EbsDeviceVolumeType.GP3, volumeSize: nodes.volumeGiB },
      encryptionAtRest: { enabled: true, kmsKey: key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      fineGrainedAccessControl: { masterUserArn: this.adminRole.roleArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: domainLogs.slowSearch,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: domainLogs.slowIndex,
        appLogEnabled: true,
        appLogGroup: domainLogs.app,
        auditLogEnabled: true,
        auditLogGroup: domainLogs.audit,
      },
      suppressLogsResourcePolicy: true,
      // Service software updates in the off-peak window (03:00 UTC), as the service schedules them.
      offPeakWindowEnabled: true,
      offPeakWindowStart: { hours: 3, minutes: 0 },
      enableAutoSoftwareUpdate: true,
      removalPolicy,
    });
    this.domain.node.addDependency(domainLogs.policy);
    // The master user's access; catalog and the search indexer are granted by their own roles'
    // policies (component-roles.ts), which this policy does not widen. Set on the domain itself
    // rather than through aws-cdk-lib's access-policy custom resource (a Lambda function).
    const cfnDomain = this.domain.node.defaultChild as opensearch.CfnDomain;
    cfnDomain.accessPolicies = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'MasterUser',
          Effect: 'Allow',
          Principal: { AWS: this.adminRole.roleArn },
          Action: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'],
          Resource: `${domainArn}/*`,
        },
      ],
    };
    this.logGroups = [domainLogs.slowSearch, domainLogs.slowIndex, domainLogs.app, domainLogs.audit];
    this.domainArn = this.domain.domainArn;
    this.domainEndpoint = this.domain.domainEndpoint;
  }
}

/**
 * The domain's log groups, kept and encrypted like the others, and the policy the service writes
 * them under, held to this domain: a native resource rather than aws-cdk-lib's custom resource,
 * which would add a Lambda function.
 */
function searchLogs(scope: Construct, settings: EnvironmentSettings, key: kms.IKey, domainArn: string) {
  const logGroup = (name: string) =>
    new logs.LogGroup(scope, name, {
      encryptionKey: key,
      retention: settings.retainData ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  const groups = {
    slowSearch: logGroup('SlowSearchLogs'),
    slowIndex: logGroup('SlowIndexLogs'),
    app: logGroup('AppLogs'),
    audit: logGroup('AuditLogs'),
  };
  const policy = new logs.ResourcePolicy(scope, 'LogsPolicy', {
    resourcePolicyName: `${searchDomainName(settings)}-logs`,
    policyStatements: [
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('es.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: Object.values(groups).map((group) => group.logGroupArn),
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': domainArn },
        },
      }),
    ],
  });
  return { ...groups, policy };
}
