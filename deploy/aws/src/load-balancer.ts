import { problemContentType } from '@shop/platform';
import type { Route } from '@shop/topology';
import {
  Duration,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  type aws_kms as kms,
  RemovalPolicy,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CloudFrontPrefixList } from './cloudfront-prefix-list.js';
import type { ServiceFleet } from './contracts.js';
import type { EnvironmentSettings } from './environments.js';

export interface LoadBalancerProps {
  vpc: ec2.IVpc;
  settings: EnvironmentSettings;
  /** Encrypts the prefix-list lookup's log group; its policy must let CloudWatch Logs use it (DataStores). */
  logsKey: kms.IKey;
  /** The HTTPS listener's certificate: the stack's own (DomainCertificates), or `certificateArn`. */
  certificate: elbv2.IListenerCertificate;
}

/** The internet-facing ALB with its security group, listeners and access-log bucket. */
export interface LoadBalancer {
  alb: elbv2.ApplicationLoadBalancer;
  securityGroup: ec2.SecurityGroup;
  /** CloudFront's origin-facing prefix list, the only source the ALB admits. */
  cloudFrontPrefixList: CloudFrontPrefixList;
  httpsListener: elbv2.ApplicationListener;
  accessLogs: s3.Bucket;
}

/**
 * The internet-facing ALB in `scope`: HTTPS from CloudFront only, access logs to a bucket of its
 * own, invalid header fields dropped. Its HTTPS listener answers a 404 problem until
 * `forwardRoutes` gives it the route table's rules; plain HTTP is redirected.
 */
export function loadBalancer(scope: Construct, props: LoadBalancerProps): LoadBalancer {
  const { vpc, settings } = props;
  const { securityGroup, cloudFrontPrefixList } = cloudFrontOnlyGroup(scope, props);
  const accessLogs = accessLogBucket(scope, settings);
  const alb = new elbv2.ApplicationLoadBalancer(scope, 'Alb', {
    vpc,
    internetFacing: true,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    securityGroup,
    dropInvalidHeaderFields: true,
    deletionProtection: settings.retainData,
  });
  alb.logAccessLogs(accessLogs, 'alb');
  const httpsListener = addListeners(alb, props.certificate);
  return { alb, securityGroup, cloudFrontPrefixList, httpsListener, accessLogs };
}

/** One listener rule per route, forwarding its path patterns to its service's target group. */
export function forwardRoutes(
  scope: Construct,
  listener: elbv2.ApplicationListener,
  routes: readonly Route[],
  fleets: readonly ServiceFleet[],
): void {
  const targetGroups = new Map(fleets.map((fleet) => [fleet.name, fleet.targetGroup] as const));
  for (const route of routes) {
    const targetGroup = targetGroups.get(route.service);
    if (!targetGroup) throw new Error(`route ${route.priority} names service "${route.service}", which has no fleet`);
    // An ALB condition takes at most five values.
    if (route.pathPatterns.length > 5) throw new Error(`route ${route.priority} has more than five path patterns`);
    new elbv2.ApplicationListenerRule(scope, `Route${route.priority}`, {
      listener,
      priority: route.priority,
      conditions: [elbv2.ListenerCondition.pathPatterns([...route.pathPatterns])],
      action: elbv2.ListenerAction.forward([targetGroup]),
    });
  }
}

function cloudFrontOnlyGroup(scope: Construct, props: LoadBalancerProps) {
  const securityGroup = new ec2.SecurityGroup(scope, 'AlbSecurityGroup', {
    vpc: props.vpc,
    description: 'shop-platform ALB: HTTPS from CloudFront origin-facing servers only',
    allowAllOutbound: false,
  });
  // CloudFront is the front door: the services trust the X-Forwarded-For entry CloudFront appends
  // (TRUSTED_PROXY_HOPS=2), which a client calling the ALB directly could forge. No rule admits
  // port 80: CloudFront calls the origin over HTTPS, and the prefix list weighs 55 of a security
  // group's default 60 rules, so it fits once.
  const cloudFrontPrefixList = new CloudFrontPrefixList(scope, 'CloudFrontPrefixList', {
    logsKey: props.logsKey,
    retainLogs: props.settings.retainData,
  });
  securityGroup.addIngressRule(
    ec2.Peer.prefixList(cloudFrontPrefixList.prefixListId),
    ec2.Port.tcp(443),
    'HTTPS from CloudFront origin-facing servers',
  );
  return { securityGroup, cloudFrontPrefixList };
}

function accessLogBucket(scope: Construct, settings: EnvironmentSettings): s3.Bucket {
  return new s3.Bucket(scope, 'AlbAccessLogs', {
    // ALB access logs support SSE-S3 only.
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules: [
      { expiration: Duration.days(settings.retainData ? 365 : 30), noncurrentVersionExpiration: Duration.days(30) },
    ],
    // Logs outlive the stack (audit material), also in dev; they expire by the rule above, and a
    // deleted or overwritten one can be restored for 30 days.
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** The HTTPS listener (returned) and the HTTP one that only redirects. */
function addListeners(
  alb: elbv2.ApplicationLoadBalancer,
  certificate: elbv2.IListenerCertificate,
): elbv2.ApplicationListener {
  const httpsListener = alb.addListener('Https', {
    port: 443,
    protocol: elbv2.ApplicationProtocol.HTTPS,
    certificates: [certificate],
    sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404, {
      contentType: problemContentType,
      messageBody: JSON.stringify({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: 'No service answers this path',
      }),
    }),
  });
  // Plain HTTP is only ever redirected. No ingress rule admits port 80 (cloudFrontOnlyGroup), so viewers
  // get their redirect from CloudFront; this listener keeps the rule should the port be opened.
  alb.addListener('Http', {
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    open: false,
    defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
  });
  return httpsListener;
}
