import test from 'ava';
import {
  App,
  type CfnElement,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  Stack,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DomainCertificates, DomainRecords } from '../src/domains.js';
import { Edge } from '../src/edge.js';
import { environmentSettings } from '../src/environments.js';

/** The certificates, the edge and the records over a stand-in ALB, as the stack wires them with a hosted zone. */
function buildStack() {
  // Template validation runs on the whole stacks (stack.test.ts); this partial one skips its cost.
  const app = new App({
    context: { environment: 'prod', hostedZone: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' },
    builtinCloudFormationValidation: false,
  });
  const settings = environmentSettings(app);
  const domain = settings.domain;
  if (!domain) throw new Error('no domain in the settings');
  const stack = new Stack(app, 'Domains', { env: { account: '111111111111', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const certificates = new DomainCertificates(stack, 'Certificates', { domain });
  const edge = new Edge(stack, 'Edge', {
    settings,
    alb,
    mediaBucket: new s3.Bucket(stack, 'MediaBucket'),
    apiOriginDomain: domain.apiDomain,
    certificate: certificates.storefront,
    domainNames: [domain.storefrontDomain],
  });
  new DomainRecords(stack, 'Dns', { domain, zone: certificates.zone, distribution: edge.distribution, alb });
  const template = Template.fromStack(stack);
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { template, certificates, edge, alb, id };
}

const built = buildStack();
/** The hosted zone id CloudFront's alias targets carry in every account. */
const cloudFrontZoneId = 'Z2FDTNDATAQYW2';

test('when a hosted zone is given, then each name gets a certificate validated by DNS in that zone', (t) => {
  const certificates = Object.values(built.template.findResources('AWS::CertificateManager::Certificate')).map(
    (certificate) => certificate.Properties,
  );
  t.deepEqual(certificates.map((certificate) => certificate.DomainName).sort(), [
    'api.shop.example.com',
    'shop.example.com',
  ]);
  for (const certificate of certificates) {
    t.is(certificate.ValidationMethod, 'DNS');
    t.deepEqual(certificate.DomainValidationOptions, [
      { DomainName: certificate.DomainName, HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
    ]);
  }
});

test('when a hosted zone is given, then the storefront is an A and AAAA alias of the distribution at the apex', (t) => {
  for (const type of ['A', 'AAAA']) {
    built.template.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      Name: 'shop.example.com.',
      Type: type,
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [built.id(built.edge.distribution), 'DomainName'] },
        // CloudFront's alias zone, from a per-partition map.
        HostedZoneId: { 'Fn::FindInMap': Match.anyValue() },
      },
    });
  }
  t.true(JSON.stringify(built.template.toJSON().Mappings).includes(`"${cloudFrontZoneId}"`));
});

test('when a hosted zone is given, then the API name is an A alias of the ALB, and the only other record', (t) => {
  built.template.hasResourceProperties('AWS::Route53::RecordSet', {
    HostedZoneId: 'Z0123456789ABCDEFGHIJ',
    Name: 'api.shop.example.com.',
    Type: 'A',
    AliasTarget: {
      DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [built.id(built.alb), 'DNSName'] }]] },
      HostedZoneId: { 'Fn::GetAtt': [built.id(built.alb), 'CanonicalHostedZoneID'] },
    },
  });
  built.template.resourceCountIs('AWS::Route53::RecordSet', 3);
  t.pass();
});

test("when a hosted zone is given, then CloudFront serves the storefront's name with its certificate and TLS 1.2", (t) => {
  built.template.hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: {
      Aliases: ['shop.example.com'],
      IPV6Enabled: true,
      ViewerCertificate: {
        AcmCertificateArn: { Ref: built.id(built.certificates.storefront) },
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    },
  });
  t.pass();
});
