import { CfnOutput, type aws_cognito as cognito, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Audit } from './audit.js';
import { Compute } from './compute.js';
import { DataStores } from './data-stores.js';
import { Edge } from './edge.js';
import type { EnvironmentSettings } from './environments.js';
import { Identity } from './identity.js';
import { Monitoring } from './monitoring.js';
import { Network } from './network.js';
import { WebContent } from './web-content.js';

export interface ShopStackProps extends StackProps {
  settings: EnvironmentSettings;
  /** The web build (`npm run build -w web`) the bucket serves; see `webDistFromContext`. */
  webDist: string;
}

/**
 * The whole platform in one environment: network, stores, sign-in, the service and analytics
 * fleets behind the ALB, CloudFront and WAF in front, CloudTrail, dashboards and alarms.
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
    // CloudFront serves the web pages and /api/* from one origin, so browsers need no CORS.
    const compute = new Compute(this, 'Compute', { vpc: network.vpc, settings, data, identity, corsOrigin: '' });
    const edge = new Edge(this, 'Edge', {
      settings,
      alb: compute.alb,
      ...(settings.apiDomain ? { apiOriginDomain: settings.apiDomain } : {}),
    });
    // The staff console signs in through the hosted UI and comes back to the storefront's /staff/.
    // The pool exists before the edge (the fleets need its ids), so the client learns the URL here.
    const staffConsole = `https://${edge.distribution.distributionDomainName}/staff/`;
    const appClient = identity.appClient.node.defaultChild as cognito.CfnUserPoolClient;
    appClient.addPropertyOverride('CallbackURLs', [staffConsole]);
    appClient.addPropertyOverride('LogoutURLs', [staffConsole]);
    new WebContent(this, 'Web', {
      bucket: edge.webBucket,
      distribution: edge.distribution,
      identity,
      webDist: props.webDist,
      logsKey: data.key,
      retainLogs: settings.retainData,
    });
    const monitoring = new Monitoring(this, 'Monitoring', { settings, compute, data });
    new Audit(this, 'Audit', { settings, key: data.key, opsTopic: monitoring.opsTopic });

    Tags.of(this).add('project', 'shop-platform');
    Tags.of(this).add('environment', settings.name);

    new CfnOutput(this, 'StorefrontUrl', { value: `https://${edge.distribution.distributionDomainName}` });
    new CfnOutput(this, 'LoadBalancerDns', { value: compute.alb.loadBalancerDnsName });
    new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
    new CfnOutput(this, 'AppClientId', { value: identity.appClient.userPoolClientId });
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
