import { httpServiceSpecs, routeTable } from '@shop/topology';
import {
  type aws_autoscaling as autoscaling,
  aws_ec2 as ec2,
  type aws_elasticloadbalancingv2 as elbv2,
  type aws_iam as iam,
  type aws_logs as logs,
  type aws_s3 as s3,
  type aws_s3_assets as s3Assets,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { analyticsFleet } from './analytics-fleet.js';
import { appBundle } from './app-bundle.js';
import { architectureOf, type BundledNode, bundledNode } from './bundled-node.js';
import type { CloudFrontPrefixList } from './cloudfront-prefix-list.js';
import { componentLogs } from './component-logs.js';
import type { ComponentName } from './component-names.js';
import { componentRoles } from './component-roles.js';
import type { ComputeRefs, DataStoreRefs, IdentityRefs, MediaRefs, SearchRefs, ServiceFleet } from './contracts.js';
import type { EnvironmentSettings } from './environments.js';
import type { FleetContext } from './fleet-group.js';
import { forwardRoutes, loadBalancer } from './load-balancer.js';
import { searchIndexerFleet } from './search-indexer-fleet.js';
import { scaleOnRequests, serviceFleet } from './service-fleet.js';

export interface ComputeProps {
  vpc: ec2.IVpc;
  settings: EnvironmentSettings;
  data: DataStoreRefs;
  identity: IdentityRefs;
  /** Comma-separated browser origins the services answer CORS for; empty when CloudFront serves both. */
  corsOrigin: string;
  /** The HTTPS listener's certificate: the stack's own (DomainCertificates), or `certificateArn`. */
  certificate: elbv2.IListenerCertificate;
  /** The product index's domain: catalog reads it, the search indexer writes it. */
  search: SearchRefs;
  /** The product media buckets catalog uploads to, reads and writes. */
  media: MediaRefs;
}

/**
 * The compute layer: the internet-facing ALB (HTTPS from CloudFront only, path rules generated from the route table),
 * one auto-scaling group per service behind it, the KCL analytics fleet and the search indexer's
 * fleet (a second KCL application, which writes the product index). Every group runs an
 * On-Demand base with Spot above it across several instance types, boots Amazon Linux 2023 with
 * IMDSv2 only and no SSH (Session Manager instead), and runs the app bundle (this repository, as an
 * asset) under systemd. Each component has its own least-privilege role.
 *
 * The parts are built by the modules imported above, all into this one scope rather than into
 * constructs of their own: every resource's construct path is `Compute/<id>`, which the logical
 * ids of a deployed stack, the cdk-nag suppressions and the checkov skips are keyed on.
 */
export class Compute extends Construct implements ComputeRefs {
  readonly vpc: ec2.IVpc;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly albSecurityGroup: ec2.SecurityGroup;
  /** CloudFront's origin-facing prefix list, the only source the ALB admits. */
  readonly cloudFrontPrefixList: CloudFrontPrefixList;
  readonly httpsListener: elbv2.ApplicationListener;
  readonly accessLogs: s3.Bucket;
  readonly services: ServiceFleet[];
  readonly analyticsGroup: autoscaling.AutoScalingGroup;
  readonly searchIndexerGroup: autoscaling.AutoScalingGroup;
  /** The role of each component's instances. */
  readonly roles: Readonly<Record<ComponentName, iam.Role>>;
  /** The log group of each component's process output. */
  readonly logGroups: Readonly<Record<ComponentName, logs.LogGroup>>;

  /** The app bundle (this repository, zipped) every instance downloads at boot. */
  readonly bundle: s3Assets.Asset;
  /** The one CPU architecture of the fleets' instance types, which picks the image and the Node.js binary. */
  readonly architecture: ec2.InstanceArchitecture;
  /** The Node.js binary the bundle installs for that architecture, which every component runs on. */
  readonly nodeRuntime: BundledNode;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const { vpc, settings, data, identity, corsOrigin, search, media } = props;
    this.vpc = vpc;

    this.bundle = appBundle(this);
    this.architecture = architectureOf(settings.instanceTypes);
    this.nodeRuntime = bundledNode(this.architecture);

    const front = loadBalancer(this, { vpc, settings, logsKey: data.key, certificate: props.certificate });
    this.alb = front.alb;
    this.albSecurityGroup = front.securityGroup;
    this.cloudFrontPrefixList = front.cloudFrontPrefixList;
    this.httpsListener = front.httpsListener;
    this.accessLogs = front.accessLogs;

    const componentLogGroups = componentLogs(this, { settings, logsKey: data.key });
    this.logGroups = componentLogGroups.components;
    this.roles = componentRoles(this, { data, bundle: this.bundle, logs: componentLogGroups, search, media });

    const context: FleetContext = {
      vpc,
      settings,
      bundle: this.bundle,
      architecture: this.architecture,
      nodeRuntime: this.nodeRuntime,
      metricsLogs: componentLogGroups.metrics,
    };
    this.services = httpServiceSpecs.map((spec) =>
      serviceFleet(this, spec, {
        context,
        role: this.roles[spec.name],
        logGroup: this.logGroups[spec.name],
        data,
        identity,
        corsOrigin,
        albSecurityGroup: this.albSecurityGroup,
        search,
        media,
      }),
    );
    forwardRoutes(this, this.httpsListener, routeTable, this.services);
    // Request-count scaling needs the target group attached to the listener, so it comes last.
    for (const fleet of this.services) scaleOnRequests(fleet);

    this.analyticsGroup = analyticsFleet(this, {
      context,
      role: this.roles.analytics,
      logGroup: this.logGroups.analytics,
      data,
    });

    const indexer = searchIndexerFleet(this, {
      context,
      role: this.roles['search-indexer'],
      logGroup: this.logGroups['search-indexer'],
      data,
      search,
    });
    this.searchIndexerGroup = indexer.group;
    // The domain admits its two clients only; what each may call is in its role.
    const catalog = this.services.find((fleet) => fleet.name === 'catalog');
    if (!catalog) throw new Error('no catalog fleet: the search domain has no reader');
    search.securityGroup.addIngressRule(catalog.securityGroup, ec2.Port.tcp(443), 'HTTPS from the catalog instances');
    search.securityGroup.addIngressRule(
      indexer.securityGroup,
      ec2.Port.tcp(443),
      'HTTPS from the search indexer instances',
    );
  }
}
