import {
  aws_certificatemanager as acm,
  type aws_cloudfront as cloudfront,
  type aws_elasticloadbalancingv2 as elbv2,
  aws_route53 as route53,
  aws_route53_targets as targets,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { DomainSettings } from './environments.js';

export interface DomainCertificatesProps {
  domain: DomainSettings;
}

/**
 * The hosted zone and the certificates for the storefront's and the API's names, validated by
 * DNS in that zone: CloudFormation writes the validation records itself and waits until ACM has
 * issued them, so no DNS step is left to do by hand. Two certificates, one per user: CloudFront
 * takes its certificate from us-east-1 and the ALB from its own region, the same region while the
 * stack deploys to us-east-1, but not a shared fact.
 */
export class DomainCertificates extends Construct {
  readonly domain: DomainSettings;
  readonly zone: route53.IHostedZone;
  /** For CloudFront, which needs it in us-east-1 (the stack's region; Edge checks it). */
  readonly storefront: acm.Certificate;
  /** For the ALB's HTTPS listener, covering the name CloudFront calls it by. */
  readonly api: acm.Certificate;

  constructor(scope: Construct, id: string, props: DomainCertificatesProps) {
    super(scope, id);
    const { domain } = props;
    this.domain = domain;
    // By id and name, not fromLookup: a lookup needs credentials and an account at synth.
    this.zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.zoneName,
    });
    this.storefront = new acm.Certificate(this, 'Storefront', {
      domainName: domain.storefrontDomain,
      validation: acm.CertificateValidation.fromDns(this.zone),
    });
    this.api = new acm.Certificate(this, 'Api', {
      domainName: domain.apiDomain,
      validation: acm.CertificateValidation.fromDns(this.zone),
    });
  }
}

export interface DomainRecordsProps {
  domain: DomainSettings;
  zone: route53.IHostedZone;
  distribution: cloudfront.IDistribution;
  alb: elbv2.ILoadBalancerV2;
}

/**
 * The names in the zone: the storefront as an alias of the distribution (A and AAAA; CloudFront
 * serves IPv6), the API as an alias of the ALB (A only: the ALB has IPv4 addresses only).
 */
export class DomainRecords extends Construct {
  readonly storefront: route53.ARecord;
  readonly storefrontIpv6: route53.AaaaRecord;
  readonly api: route53.ARecord;

  constructor(scope: Construct, id: string, props: DomainRecordsProps) {
    super(scope, id);
    const { domain, zone } = props;
    const storefront = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(props.distribution));
    this.storefront = new route53.ARecord(this, 'Storefront', {
      zone,
      recordName: domain.storefrontDomain,
      target: storefront,
    });
    this.storefrontIpv6 = new route53.AaaaRecord(this, 'StorefrontIpv6', {
      zone,
      recordName: domain.storefrontDomain,
      target: storefront,
    });
    this.api = new route53.ARecord(this, 'Api', {
      zone,
      recordName: domain.apiDomain,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(props.alb)),
    });
  }
}
