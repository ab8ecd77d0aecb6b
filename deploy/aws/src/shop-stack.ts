import {
  CfnOutput,
  type aws_cognito as cognito,
  aws_elasticloadbalancingv2 as elbv2,
  Fn,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Audit } from './audit.js';
import { Compute } from './compute.js';
import { DataStores } from './data-stores.js';
import { DomainCertificates, DomainRecords } from './domains.js';
import { Edge } from './edge.js';
import type { EnvironmentSettings } from './environments.js';
import { Identity } from './identity.js';
import { MediaBuckets } from './media-buckets.js';
import { Monitoring } from './monitoring.js';
import { Network } from './network.js';
import { SearchDomain } from './search-domain.js';
import { WebContent } from './web-content.js';

export interface ShopStackProps extends StackProps {
  settings: EnvironmentSettings;
  /** The web build (`npm run build -w web`) the bucket serves; see `webDistFromContext`. */
  webDist: string;
}

/**
 * The whole platform in one environment: network, stores, sign-in, the search domain, the product
 * media buckets, the service, analytics and search indexer fleets (the services behind the ALB),
 * CloudFront and WAF in front, CloudTrail, dashboards and alarms.
 */
export class ShopStack extends Stack {
  private readonly zoneCount: number;

  constructor(scope: Construct, id: string, props: ShopStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.zoneCount = settings.maxAzs;
    const data = new DataStores(this, 'Data', { settings });
    const identity = new Identity(this, 'Identity', { settings });
    const network = new Network(this, 'Network', { settings, logsKey: data.key });
    const search = new SearchDomain(this, 'Search', { settings, vpc: network.vpc, key: data.key });
    const media = new MediaBuckets(this, 'Media');
    // With a hosted zone the stack makes its certificates and DNS records; without one the ALB's
    // certificate and the API's DNS alias are made by hand (certificateArn, apiDomain).
    const certificates = settings.domain
      ? new DomainCertificates(this, 'Certificates', { domain: settings.domain })
      : undefined;
    // CloudFront serves the web pages and /api/* from one origin, so browsers need no CORS.
    const compute = new Compute(this, 'Compute', {
      vpc: network.vpc,
      settings,
      data,
      identity,
      search,
      media,
      corsOrigin: '',
      certificate: certificates
        ? elbv2.ListenerCertificate.fromCertificateManager(certificates.api)
        : elbv2.ListenerCertificate.fromArn(settings.certificateArn),
    });
    const edge = new Edge(this, 'Edge', {
      settings,
      alb: compute.alb,
      mediaBucket: media.mediaBucket,
      ...(settings.apiDomain ? { apiOriginDomain: settings.apiDomain } : {}),
      ...(certificates
        ? { certificate: certificates.storefront, domainNames: [certificates.domain.storefrontDomain] }
        : {}),
    });
    if (certificates) {
      new DomainRecords(this, 'Dns', {
        domain: certificates.domain,
        zone: certificates.zone,
        distribution: edge.distribution,
        alb: compute.alb,
      });
    }
    const cloudFrontUrl = `https://${edge.distribution.distributionDomainName}`;
    const storefrontUrl = certificates ? `https://${certificates.domain.storefrontDomain}` : cloudFrontUrl;
    // The app client's OAuth callback and sign-out URLs: the staff console's /staff/ under the
    // storefront's name (and CloudFront's, with a domain). Only Cognito's hosted UI redirects to
    // them, and the console does not use it: it signs in with its own form, calling InitiateAuth
    // (USER_PASSWORD_AUTH) from the browser. The pool exists before the edge (the fleets need its
    // ids), so the client learns the URLs here.
    const siteOrigins = [...new Set([storefrontUrl, cloudFrontUrl])];
    const staffConsole = siteOrigins.map((url) => `${url}/staff/`);
    const appClient = identity.appClient.node.defaultChild as cognito.CfnUserPoolClient;
    appClient.addPropertyOverride('CallbackURLs', staffConsole);
    appClient.addPropertyOverride('LogoutURLs', staffConsole);
    // The media buckets exist before the edge for the same reason; they log to its log bucket, and
    // the staff pages, at either name, POST uploads straight to the upload bucket.
    media.logTo(edge.logBucket);
    media.allowUploadsFrom(siteOrigins);
    new WebContent(this, 'Web', {
      bucket: edge.webBucket,
      distribution: edge.distribution,
      identity,
      webDist: props.webDist,
      logsKey: data.key,
      retainLogs: settings.retainData,
    });
    const monitoring = new Monitoring(this, 'Monitoring', { settings, compute, data, search });
    new Audit(this, 'Audit', { settings, key: data.key, opsTopic: monitoring.opsTopic });

    Tags.of(this).add('project', 'shop-platform');
    Tags.of(this).add('environment', settings.name);

    new CfnOutput(this, 'StorefrontUrl', { value: storefrontUrl });
    new CfnOutput(this, 'LoadBalancerDns', { value: compute.alb.loadBalancerDnsName });
    new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
    new CfnOutput(this, 'AppClientId', { value: identity.appClient.userPoolClientId });
    // What the one-time role mapping of the search domain needs (docs/architecture.md, Search on AWS).
    new CfnOutput(this, 'SearchEndpoint', { value: `https://${search.domainEndpoint}` });
    new CfnOutput(this, 'SearchAdminRoleArn', { value: search.adminRole.roleArn });
    new CfnOutput(this, 'CatalogRoleArn', { value: compute.roles.catalog.roleArn });
    new CfnOutput(this, 'SearchIndexerRoleArn', { value: compute.roles['search-indexer'].roleArn });
  }

  /**
   * The first `maxAzs` zones of the region, chosen at deploy time (`Fn::GetAZs`). CDK's own choice
   * depends on what synthesis knows: two zones without an account (offline, no credentials), a
   * lookup that needs credentials with one. This way `cdk synth` offline writes the template that
   * `cdk deploy` deploys, prod's three zones included.
   */
  override get availabilityZones(): string[] {
    return Array.from({ length: this.zoneCount }, (_, index) => Fn.select(index, Fn.getAzs()));
  }
}
