import test from 'ava';
import { CfnResource, aws_cloudfront as cloudfront, TagManager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { cliSynth, constructedStack, removeCliOutputs } from './stack-fixture.js';
import { cfnLint, checkov } from './template-linters.js';

test.after.always(removeCliOutputs);

for (const environment of ['dev', 'prod'] as const) {
  test(`when the CDK CLI synthesizes ${environment} offline with no AWS credentials, then it exits 0 and writes the template`, async (t) => {
    const { exitCode, stderr, files } = await cliSynth(environment);
    t.is(exitCode, 0, stderr);
    t.true(files.includes(`Shop-${environment}.template.json`), files.join(', '));
  });
}

for (const environment of ['dev', 'prod'] as const) {
  test(`when cdk-nag's AwsSolutions pack checks the ${environment} stack, then nothing is left unsuppressed`, async (t) => {
    t.deepEqual((await cliSynth(environment)).violations, []);
  });

  test(`when CloudFormation's schemas and rules check the ${environment} template, then they find nothing`, async (t) => {
    t.deepEqual((await cliSynth(environment)).templateFindings, []);
  });
}

/** cfn-lint warnings the stack accepts, by rule, each with its reason. */
const acceptedCfnLintWarnings = [
  {
    rule: 'W3005',
    reason:
      "aws-cdk-lib's own constructs (the trail, its custom resource providers, the bucket deployment) write a DependsOn that a GetAtt already implies: redundant, harmless, and not the app's to change.",
  },
];

for (const environment of ['dev', 'prod'] as const) {
  test(`when cfn-lint checks the ${environment} template, then it finds no error and no warning beyond the accepted ones`, async (t) => {
    const findings = await cfnLint((await cliSynth(environment)).templatePath);
    const errors = findings.filter((finding) => finding.level === 'Error');
    const warnings = findings.filter((finding) => finding.level === 'Warning');
    t.log(
      `cfn-lint ${environment}: ${errors.length} errors, ${warnings.length} warnings (${findings.length} findings)`,
    );
    t.deepEqual(errors, []);
    t.deepEqual(
      findings.filter(
        (finding) =>
          finding.level !== 'Error' && !acceptedCfnLintWarnings.some((accepted) => accepted.rule === finding.rule),
      ),
      [],
    );
  });

  test(`when checkov checks the ${environment} template, then no check fails and every skipped one says why`, async (t) => {
    const report = await checkov((await cliSynth(environment)).templatePath);
    const { passed, failed, skipped, parsing_errors: parsingErrors, resource_count: resources } = report.summary;
    t.log(`checkov ${environment}: ${passed} passed, ${failed} failed, ${skipped} skipped (${resources} resources)`);
    t.deepEqual(
      report.failed.map((check) => `${check.id} ${check.resource}: ${check.name}`),
      [],
    );
    t.is(parsingErrors, 0);
    // A run that checked next to nothing would pass the above too.
    t.true(passed > 200, `${passed} checks passed`);
    for (const check of report.skipped) {
      t.true((check.comment ?? '').length >= 40, `${check.id} ${check.resource} is skipped without a reason`);
    }
  });
}

type PolicyStatement = { Effect?: string; Action?: string | string[]; NotAction?: unknown; Principal?: unknown };

/** Every policy statement of a resource: identity policies, inline role policies, key, bucket and topic policies. */
function statementsIn(value: unknown, found: PolicyStatement[] = []): PolicyStatement[] {
  if (Array.isArray(value)) {
    for (const item of value) statementsIn(item, found);
  } else if (value && typeof value === 'object') {
    const fields = value as Record<string, unknown>;
    if (Array.isArray(fields.Statement)) found.push(...(fields.Statement as PolicyStatement[]));
    for (const field of Object.values(fields)) statementsIn(field, found);
  }
  return found;
}

const dataServices = ['s3', 'dynamodb', 'kinesis', 'sns', 'kms'];

/**
 * The wildcard grants on data services the stack keeps, each on the key policy of the platform
 * key (`principal` is matched against the statement's principal), with the reason.
 */
const acceptedDataWildcards = [
  {
    // The AWS::AccountId reference: the CLI synthesizes without an account.
    principal: ':root',
    action: 'kms:*',
    reason:
      "CDK's default key policy: the account administers its key, so IAM policies can grant its use; without it the key could become unmanageable.",
  },
  {
    principal: 'cloudtrail.amazonaws.com',
    action: 'kms:GenerateDataKey*',
    reason:
      "CloudTrail's key policy statement as AWS documents it, held to this account's trails by encryption context and source account (audit.ts).",
  },
  {
    principal: 'cloudwatch.amazonaws.com',
    action: 'kms:GenerateDataKey*',
    reason: 'CloudWatch alarms publishing to the encrypted ops topic, as AWS documents the grant (monitoring.ts).',
  },
  ...['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'].map((action) => ({
    // logs.<region>.amazonaws.com, the region as a reference.
    principal: '"logs.',
    action,
    reason:
      "CloudWatch Logs' key policy statement as AWS documents it, held to this account's log groups in the region by encryption context (data-stores.ts).",
  })),
] as const;

for (const environment of ['dev', 'prod'] as const) {
  test(`when the ${environment} template grants access, then no statement allows a wildcard action on a data service beyond the listed ones`, async (t) => {
    const resources = (await cliSynth(environment)).template.toJSON().Resources as Record<
      string,
      { Type: string; Properties?: unknown }
    >;
    const found: string[] = [];
    for (const [id, resource] of Object.entries(resources)) {
      for (const statement of statementsIn(resource.Properties)) {
        // A Deny with a wildcard (enforceSSL's `s3:*`) only takes access away.
        if (statement.Effect !== 'Allow') continue;
        t.is(statement.NotAction, undefined, `${id}: NotAction allows every other action`);
        for (const action of [statement.Action ?? []].flat()) {
          const service = action.split(':')[0] ?? '';
          if (!action.includes('*') || !(action === '*' || dataServices.includes(service))) continue;
          const principal = JSON.stringify(statement.Principal ?? null);
          const accepted = acceptedDataWildcards.find(
            (entry) => entry.action === action && principal.includes(entry.principal),
          );
          t.truthy(accepted, `${resource.Type} ${id}: ${action} for ${principal}`);
          if (accepted) t.is(resource.Type, 'AWS::KMS::Key', `${id}: ${action}`);
          found.push(`${accepted?.principal} ${action}`);
        }
      }
    }
    // Every listed exception still exists, so the list cannot outlive its reason.
    t.deepEqual(
      [...new Set(found)].sort(),
      acceptedDataWildcards.map((entry) => `${entry.principal} ${entry.action}`).sort(),
    );
  });
}

type Tags = Array<{ Key: string; Value: string; PropagateAtLaunch?: boolean }> | Record<string, string> | undefined;
type TagSpecification = { ResourceType: string; Tags: Tags };

/** Tags as CloudFormation renders them (a Key/Value list, or a map for a few types), by key. */
function tagsByKey(tags: Tags): Record<string, string> {
  if (!tags) return {};
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
  return tags;
}

test('when the stack is tagged, then every resource CDK tags names the project and environment', async (t) => {
  // Which resources take tags, the constructs tell; what they were given, the CLI's template.
  const stack = constructedStack('prod');
  const { template } = await cliSynth('prod');
  const resources = template.toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>;
  const expected = { project: 'shop-platform', environment: 'prod' };
  const types = new Set<string>();
  for (const construct of stack.node.findAll()) {
    const manager = construct instanceof CfnResource ? TagManager.of(construct) : undefined;
    if (!(construct instanceof CfnResource) || !manager) continue;
    const id = stack.getLogicalId(construct);
    // The manager names the property as the L1 class does (tags, userPoolTags); the template capitalizes it.
    const property = `${manager.tagPropertyName.charAt(0).toUpperCase()}${manager.tagPropertyName.slice(1)}`;
    const tags = resources[id]?.Properties?.[property] as Tags;
    t.like(tagsByKey(tags), expected, `${construct.cfnResourceType} ${id}`);
    if (construct.cfnResourceType === 'AWS::AutoScaling::AutoScalingGroup' && Array.isArray(tags)) {
      // Instances launched by the groups carry the tags too.
      for (const tag of tags.filter((candidate) => candidate.Key in expected)) t.true(tag.PropagateAtLaunch, id);
    }
    types.add(construct.cfnResourceType);
  }
  for (const type of [
    'AWS::AutoScaling::AutoScalingGroup',
    'AWS::CloudFront::Distribution',
    'AWS::CloudTrail::Trail',
    'AWS::CloudWatch::Alarm',
    'AWS::Cognito::UserPool',
    'AWS::DynamoDB::Table',
    'AWS::EC2::NatGateway',
    'AWS::EC2::SecurityGroup',
    'AWS::EC2::VPC',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'AWS::IAM::Role',
    'AWS::Kinesis::Stream',
    'AWS::KMS::Key',
    'AWS::Lambda::Function',
    'AWS::Logs::LogGroup',
    'AWS::S3::Bucket',
    'AWS::SNS::Topic',
    'AWS::WAFv2::WebACL',
  ]) {
    t.true(types.has(type), `${type} is among the tagged types`);
  }
  // The launch templates tag the instances and volumes they launch.
  for (const [id, launchTemplate] of Object.entries(template.findResources('AWS::EC2::LaunchTemplate'))) {
    const data = (launchTemplate as { Properties: { LaunchTemplateData: { TagSpecifications?: TagSpecification[] } } })
      .Properties.LaunchTemplateData;
    for (const resourceType of ['instance', 'volume']) {
      const specification = data.TagSpecifications?.find((candidate) => candidate.ResourceType === resourceType);
      t.like(tagsByKey(specification?.Tags), expected, `${id} ${resourceType}`);
    }
  }
});

test('when prod is synthesized, then stores, the stream, buckets and log groups are retained; dev can be torn down', async (t) => {
  const prod = (await cliSynth('prod')).template;
  for (const type of [
    'AWS::DynamoDB::GlobalTable',
    'AWS::DynamoDB::Table',
    'AWS::KMS::Key',
    'AWS::Cognito::UserPool',
    'AWS::Kinesis::Stream',
    'AWS::S3::Bucket',
    'AWS::Logs::LogGroup',
  ]) {
    for (const [id, resource] of Object.entries(prod.findResources(type))) {
      t.like(resource, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }, `${type} ${id}`);
    }
  }
  t.is(Object.keys(prod.findResources('AWS::Kinesis::Stream')).length, 1);
  t.true(Object.keys(prod.findResources('AWS::Logs::LogGroup')).length >= 7);
  const dev = (await cliSynth('dev')).template;
  for (const type of ['AWS::KMS::Key', 'AWS::Kinesis::Stream', 'AWS::Logs::LogGroup']) {
    for (const [id, resource] of Object.entries(dev.findResources(type))) {
      t.not((resource as { DeletionPolicy?: string }).DeletionPolicy, 'Retain', `${type} ${id}`);
    }
  }
});

test('when an API domain is given, then CloudFront calls the ALB by that name over HTTPS', (t) => {
  const stack = constructedStack('dev', { apiDomain: 'api.shop.example' });
  // The distribution's configuration resolved without synthesizing (and staging) the whole app.
  const distributions = stack.node
    .findAll()
    .filter((construct): construct is cloudfront.CfnDistribution => construct instanceof cloudfront.CfnDistribution);
  t.is(distributions.length, 1);
  const text = JSON.stringify(distributions.map((distribution) => stack.resolve(distribution.distributionConfig)));
  t.true(text.includes('"domainName":"api.shop.example"'), 'the API origin is the configured name');
  t.true(text.includes('"originProtocolPolicy":"https-only"'));
});

for (const [environment, zoneCount, natGateways] of [
  ['dev', 2, 1],
  ['prod', 3, 3],
] as const) {
  test(`when the ${environment} network is synthesized offline, then it spans ${zoneCount} AZs with public and private subnets, ${natGateways} NAT gateway${natGateways > 1 ? 's' : ''}, flow logs and endpoints for DynamoDB, S3 and Kinesis`, async (t) => {
    const { template } = await cliSynth(environment);
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')) as Array<{
      Properties: { MapPublicIpOnLaunch?: boolean; AvailabilityZone?: unknown };
    }>;
    const zones = (isPublic: boolean) =>
      new Set(
        subnets
          .filter((subnet) => (subnet.Properties.MapPublicIpOnLaunch === true) === isPublic)
          .map((subnet) => JSON.stringify(subnet.Properties.AvailabilityZone)),
      );
    // Without an account CDK would offer two zones; the stack picks its own at deploy time.
    t.deepEqual(
      [...zones(true)].sort(),
      Array.from({ length: zoneCount }, (_, index) => JSON.stringify({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] })),
    );
    t.deepEqual([...zones(false)].sort(), [...zones(true)].sort());
    template.resourceCountIs('AWS::EC2::NatGateway', natGateways);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    const endpoints = JSON.stringify(template.findResources('AWS::EC2::VPCEndpoint'));
    for (const service of ['.dynamodb', '.s3', '.kinesis-streams']) t.true(endpoints.includes(service), service);
  });
}

test("when the stack has no domain, then the app client's OAuth callback URL is the staff console under the CloudFront name", async (t) => {
  const { template } = await cliSynth('dev');
  const clients = JSON.stringify(template.findResources('AWS::Cognito::UserPoolClient'));
  t.regex(
    clients,
    /"CallbackURLs":\[\{"Fn::Join":\["",\["https:\/\/",\{"Fn::GetAtt":\["EdgeDistribution[^"]*","DomainName"\]\},"\/staff\/"\]\]\}\]/,
  );
});

test('when the stack logs to CloudWatch, then every log group is encrypted with the platform key, which lets CloudWatch Logs use it for this account and region only', async (t) => {
  const { template } = await cliSynth('dev');
  const keys = Object.keys(template.findResources('AWS::KMS::Key'));
  t.is(keys.length, 1);
  const groups = Object.entries(template.findResources('AWS::Logs::LogGroup'));
  t.is(
    groups.length,
    13,
    "flow logs, four components, Prometheus metrics, two handlers, the trail copy, the search domain's four logs",
  );
  for (const [id, group] of groups) t.deepEqual(group.Properties.KmsKeyId, { 'Fn::GetAtt': [keys[0], 'Arn'] }, id);
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: Match.objectLike({
      Statement: Match.arrayWith([
        Match.objectLike({
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':logs:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':log-group:*',
                  ],
                ],
              },
            },
          },
        }),
      ]),
    }),
  });
  t.pass();
});

test('when a bucket receives logs, then it is versioned, expires old versions and takes S3 access logs under a bucket policy, not an ACL', async (t) => {
  const { template } = await cliSynth('dev');
  const buckets = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const logBuckets = ['ComputeAlbAccessLogs', 'EdgeLogs', 'AuditTrailAccessLogs'].map((prefix) => {
    const id = Object.keys(buckets).find(
      (candidate) => candidate.startsWith(prefix) && buckets[candidate]?.Type === 'AWS::S3::Bucket',
    );
    if (!id) throw new Error(`no bucket ${prefix}`);
    return id;
  });
  for (const id of logBuckets) {
    const properties = buckets[id]?.Properties ?? {};
    t.like(properties, { VersioningConfiguration: { Status: 'Enabled' } }, id);
    t.is(properties.AccessControl, undefined, id);
    const rules = (properties.LifecycleConfiguration as { Rules: { NoncurrentVersionExpiration?: unknown }[] }).Rules;
    t.true(
      rules.some((rule) => rule.NoncurrentVersionExpiration),
      `${id} keeps old versions for a while only`,
    );
  }
  // The web bucket logs to the edge log bucket, the trail bucket to its access-log bucket.
  for (const [target, source] of [
    ['EdgeLogs', 'EdgeWeb'],
    ['AuditTrailAccessLogs', 'AuditTrailBucket'],
  ] as const) {
    const targetId = logBuckets.find((id) => id.startsWith(target));
    const sourceId = Object.keys(buckets).find(
      (id) => id.startsWith(source) && buckets[id]?.Type === 'AWS::S3::Bucket',
    );
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: targetId },
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [sourceId, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      }),
    });
  }
});

test('when no hosted zone is given, then the stack makes no certificate and no DNS record, and the ALB uses certificateArn', async (t) => {
  for (const environment of ['dev', 'prod'] as const) {
    const { template } = await cliSynth(environment);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:us-east-1:') }],
    });
  }
  t.pass();
});

test('when a hosted zone is given, then the ALB listens with the API certificate, CloudFront calls it by api.<zone>, and the storefront URL is the domain', (t) => {
  const stack = constructedStack('prod', { hostedZone: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
  const template = Template.fromStack(stack);
  const certificates = template.findResources('AWS::CertificateManager::Certificate');
  const apiCertificate = Object.keys(certificates).find(
    (id) => certificates[id]?.Properties.DomainName === 'api.shop.example.com',
  );
  t.truthy(apiCertificate);
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Protocol: 'HTTPS',
    Certificates: [{ CertificateArn: { Ref: apiCertificate } }],
  });
  template.hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: Match.objectLike({
      Aliases: ['shop.example.com'],
      Origins: Match.arrayWith([Match.objectLike({ DomainName: 'api.shop.example.com' })]),
    }),
  });
  template.resourceCountIs('AWS::Route53::RecordSet', 3);
  t.is(template.toJSON().Outputs.StorefrontUrl.Value, 'https://shop.example.com');
  const client = JSON.stringify(template.findResources('AWS::Cognito::UserPoolClient'));
  t.true(
    client.includes('"https://shop.example.com/staff/"'),
    "the app client's OAuth URLs name the domain's staff console",
  );
});
