import { webContentSecurityPolicy } from '@shop/platform';
import {
  Annotations,
  type aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  cx_api,
  Duration,
  type aws_elasticloadbalancingv2 as elbv2,
  aws_cloudfront_origins as origins,
  RemovalPolicy,
  Stack,
  aws_s3 as s3,
  Token,
  aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environments.js';
import { cognitoApiOrigin } from './identity.js';
import { pageRoutesFunctionCode } from './page-routes.function.js';

export interface EdgeProps {
  settings: EnvironmentSettings;
  alb: elbv2.IApplicationLoadBalancer;
  /** The product images' bucket (MediaBuckets), served under `/media/*`. */
  mediaBucket: s3.IBucket;
  /**
   * The DNS name CloudFront calls the ALB by, one the ALB's certificate covers. CloudFront checks
   * the origin's certificate against it, so the ALB's own `*.elb.amazonaws.com` name (the
   * default) only works with a certificate for that name.
   */
  apiOriginDomain?: string;
  /**
   * A certificate (in us-east-1) for the storefront's own `domainNames`. Only with one can the
   * viewer TLS policy be raised to TLS 1.2: CloudFront's default `*.cloudfront.net` certificate
   * has a fixed policy that still accepts TLS 1.0.
   */
  certificate?: acm.ICertificate;
  domainNames?: string[];
}

/** The rule groups both web ACLs run, in priority order after the rate rule. */
export const managedRuleGroups = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/**
 * What shoppers and staff reach: CloudFront serves the static `web/` build and the product images
 * (`/media/*`) from private buckets and sends `/api/*` to the ALB, one origin for all so browsers
 * need no CORS. A WAF web ACL guards each entry point: CloudFront, and the ALB behind it, whose
 * security group admits CloudFront's origin-facing servers only (Compute).
 *
 * The functions below build the parts into this one scope, as Compute does, so every resource's
 * construct path stays `Edge/<id>` (the logical ids, the cdk-nag suppressions and the checkov
 * skips are keyed on it).
 */
export class Edge extends Construct {
  readonly webBucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** The web pages' security headers, their Content-Security-Policy among them. */
  readonly webHeaders: cloudfront.ResponseHeadersPolicy;
  /** Maps page paths to their HTML file (`page-routes.function.ts`). */
  readonly pageRoutes: cloudfront.Function;
  readonly cloudFrontAcl: wafv2.CfnWebACL;
  readonly albAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const { settings, alb } = props;

    // S3 delivers the web bucket's access logs under a bucket policy (logging.s3.amazonaws.com,
    // held to that bucket and account) instead of the legacy LogDeliveryWrite ACL.
    this.node.setContext(cx_api.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const buckets = edgeBuckets(this, settings);
    this.logBucket = buckets.logs;
    this.webBucket = buckets.web;

    const region = Stack.of(this).region;
    const acls = webAcls(this, { settings, alb, region });
    this.cloudFrontAcl = acls.cloudFront;
    this.albAcl = acls.alb;

    this.webHeaders = webHeadersPolicy(this, settings, region);
    this.pageRoutes = new cloudfront.Function(this, 'PageRoutes', {
      comment: 'Serves each page path its HTML file; files pass untouched',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(pageRoutesFunctionCode),
    });
    this.distribution = webAndApiDistribution(this, {
      settings,
      apiOrigin: apiOrigin(alb, props.apiOriginDomain),
      webBucket: this.webBucket,
      mediaBucket: props.mediaBucket,
      logBucket: this.logBucket,
      webHeaders: this.webHeaders,
      pageRoutes: this.pageRoutes,
      webAcl: this.cloudFrontAcl,
      certificate: props.certificate,
      domainNames: props.domainNames,
    });
  }
}

/**
 * The log bucket and the web bucket, in `scope`. CloudFront standard logging writes with ACLs (it
 * grants itself one on the bucket), so the log bucket keeps them enabled; it also receives the web
 * bucket's server access logs, and the media buckets' (MediaBuckets.logTo). Logs outlive the stack and expire by age; versions keep a deleted
 * or overwritten one for 30 days.
 */
function edgeBuckets(scope: Construct, settings: EnvironmentSettings): { logs: s3.Bucket; web: s3.Bucket } {
  const logs = new s3.Bucket(scope, 'Logs', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
    versioned: true,
    lifecycleRules: [
      { expiration: Duration.days(settings.retainData ? 365 : 90), noncurrentVersionExpiration: Duration.days(30) },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const web = new s3.Bucket(scope, 'Web', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 'web-bucket/',
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { logs, web };
}

interface WebAclsProps {
  settings: EnvironmentSettings;
  alb: elbv2.IApplicationLoadBalancer;
  /** The stack's region, which must be us-east-1 for the CloudFront web ACL. */
  region: string;
}

/** The web ACLs of both entry points, in `scope`: CloudFront's, and the ALB's with its association. */
function webAcls(scope: Construct, props: WebAclsProps): { cloudFront: wafv2.CfnWebACL; alb: wafv2.CfnWebACL } {
  const { settings, alb, region } = props;
  // A CLOUDFRONT-scope web ACL can only be created in us-east-1, so the stack holding this
  // construct must deploy there (bin/shop-app.ts defaults to it). In another region, the ACL
  // would move to its own us-east-1 stack and its ARN reach this one by cross-region reference.
  if (!Token.isUnresolved(region) && region !== 'us-east-1') {
    Annotations.of(scope).addError(
      `The CloudFront web ACL must be created in us-east-1, but this stack deploys to ${region}`,
    );
  }
  const cloudFront = webAcl(scope, 'CloudFrontAcl', {
    scope: 'CLOUDFRONT',
    name: `shop-${settings.name}-cloudfront`,
    rateLimit: settings.wafRateLimit,
    // CloudFront sees the client itself.
    aggregateKeyType: 'IP',
  });
  const albAcl = webAcl(scope, 'AlbAcl', {
    scope: 'REGIONAL',
    name: `shop-${settings.name}-alb`,
    rateLimit: settings.wafRateLimit,
    // Behind CloudFront the ALB sees edge addresses shared by many clients, so it counts the
    // client address CloudFront forwards. A forged header only dodges this limit, not the
    // CloudFront one; a request without the header did not come through CloudFront and is blocked.
    aggregateKeyType: 'FORWARDED_IP',
  });
  new wafv2.CfnWebACLAssociation(scope, 'AlbAclAssociation', {
    resourceArn: alb.loadBalancerArn,
    webAclArn: albAcl.attrArn,
  });
  return { cloudFront, alb: albAcl };
}

/** The web pages' security headers, in `scope`. */
function webHeadersPolicy(
  scope: Construct,
  settings: EnvironmentSettings,
  region: string,
): cloudfront.ResponseHeadersPolicy {
  return new cloudfront.ResponseHeadersPolicy(scope, 'WebHeaders', {
    comment: `shop-platform ${settings.name}: security headers of the web pages`,
    securityHeadersBehavior: {
      // The staff pages sign in by calling Cognito from the browser; nothing else leaves the origin.
      contentSecurityPolicy: {
        contentSecurityPolicy: webContentSecurityPolicy({ connectSources: [cognitoApiOrigin(region)] }),
        override: true,
      },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(365),
        includeSubdomains: true,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: {
        referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
        override: true,
      },
    },
  });
}

/** How CloudFront reaches the ALB: by the given name, else by the ALB's own; HTTPS either way. */
function apiOrigin(alb: elbv2.IApplicationLoadBalancer, apiOriginDomain: string | undefined): cloudfront.IOrigin {
  return apiOriginDomain
    ? new origins.HttpOrigin(apiOriginDomain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY })
    : new origins.LoadBalancerV2Origin(alb, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY });
}

interface DistributionProps {
  settings: EnvironmentSettings;
  apiOrigin: cloudfront.IOrigin;
  webBucket: s3.IBucket;
  mediaBucket: s3.IBucket;
  logBucket: s3.IBucket;
  webHeaders: cloudfront.IResponseHeadersPolicy;
  pageRoutes: cloudfront.IFunction;
  webAcl: wafv2.CfnWebACL;
  /** With a certificate for the storefront's own names, viewers get those names and TLS 1.2 (EdgeProps). */
  certificate?: acm.ICertificate;
  domainNames?: string[];
}

/** The distribution, in `scope`: the web bucket by default, `/media/*` from the media bucket, `/api/*` to the ALB. */
function webAndApiDistribution(scope: Construct, props: DistributionProps): cloudfront.Distribution {
  const { settings } = props;
  return new cloudfront.Distribution(scope, 'Distribution', {
    comment: `shop-platform ${settings.name}: web/, /media/* and /api/*`,
    defaultRootObject: 'index.html',
    defaultBehavior: {
      origin: origins.S3BucketOrigin.withOriginAccessControl(props.webBucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: props.webHeaders,
      functionAssociations: [{ function: props.pageRoutes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      compress: true,
    },
    additionalBehaviors: {
      '/api/*': {
        origin: props.apiOrigin,
        // A redirect would turn a POST into a GET, so plain HTTP is refused instead.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      // The URL path is the object key (`media/<productId>/<imageId>/<width>.webp`), so no origin
      // path. The objects say `public, max-age=31536000, immutable` (a new image gets a new key),
      // and CachingOptimized keeps what the origin says up to its maximum TTL, a year.
      '/media/*': {
        origin: origins.S3BucketOrigin.withOriginAccessControl(props.mediaBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        // The site's own headers (HSTS, nosniff, no framing), as on the pages the images sit in.
        responseHeadersPolicy: props.webHeaders,
        compress: true,
      },
    },
    ...(props.certificate
      ? {
          certificate: props.certificate,
          domainNames: props.domainNames,
          minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        }
      : {}),
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    enableLogging: true,
    logBucket: props.logBucket,
    logFilePrefix: 'cloudfront/',
    webAclId: props.webAcl.attrArn,
  });
}

interface WebAclOptions {
  scope: 'CLOUDFRONT' | 'REGIONAL';
  name: string;
  rateLimit: number;
  aggregateKeyType: 'IP' | 'FORWARDED_IP';
}

/** A web ACL that allows by default, rate-limits per client address, then runs the managed groups. */
function webAcl(scope: Construct, id: string, options: WebAclOptions): wafv2.CfnWebACL {
  const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true,
    metricName,
    sampledRequestsEnabled: true,
  });
  const rateRule: wafv2.CfnWebACL.RuleProperty = {
    name: 'RateLimitPerClient',
    priority: 0,
    action: { block: {} },
    statement: {
      rateBasedStatement: {
        limit: options.rateLimit,
        evaluationWindowSec: 300,
        aggregateKeyType: options.aggregateKeyType,
        ...(options.aggregateKeyType === 'FORWARDED_IP'
          ? { forwardedIpConfig: { headerName: 'X-Forwarded-For', fallbackBehavior: 'MATCH' } }
          : {}),
      },
    },
    visibilityConfig: visibility(`${options.name}-rate`),
  };
  const managedRules = managedRuleGroups.map(
    (name, index): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority: index + 1,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(`${options.name}-${name}`),
    }),
  );
  return new wafv2.CfnWebACL(scope, id, {
    name: options.name,
    scope: options.scope,
    defaultAction: { allow: {} },
    rules: [rateRule, ...managedRules],
    visibilityConfig: visibility(options.name),
  });
}
