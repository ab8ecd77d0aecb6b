import test from 'ava';
import { aws_cloudfront as cloudfront, aws_s3 as s3 } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { cliSynth, constructedStack, type Environment, removeCliOutputs } from './stack-fixture.js';

test.after.always(removeCliOutputs);

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

const resourcesOf = (template: Template) => template.toJSON().Resources as Record<string, Resource>;

/** The one resource of a type whose logical id starts with `prefix`. */
function only(template: Template, type: string, prefix = ''): [string, Resource] {
  const found = Object.entries(resourcesOf(template)).filter(
    ([id, resource]) => resource.Type === type && id.startsWith(prefix),
  );
  if (found.length !== 1) throw new Error(`${found.length} resources of ${type} start with ${prefix}`);
  return found[0] as [string, Resource];
}

/** A CloudFormation value as text, references as `<Id>` or `<Id.Attribute>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const reference = value as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
  if (reference.Ref) return `<${reference.Ref}>`;
  if (reference['Fn::GetAtt']) return `<${reference['Fn::GetAtt'].join('.')}>`;
  if (reference['Fn::Join']) return reference['Fn::Join'][1].map(flatten).join(reference['Fn::Join'][0]);
  return JSON.stringify(value);
}

const statementsOf = (policy: Resource) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
const actionsOf = (statement: Statement | undefined) => [statement?.Action ?? []].flat().sort();
const resourcesIn = (statement: Statement | undefined) => [statement?.Resource ?? []].flat().map(flatten).sort();

/** The systemd unit's `Environment=` settings in a fleet's boot script, by name. */
function unitEnvironment(template: Template, launchTemplatePrefix: string): Record<string, string> {
  const [, launchTemplate] = only(template, 'AWS::EC2::LaunchTemplate', launchTemplatePrefix);
  const data = launchTemplate.Properties.LaunchTemplateData as { UserData: { 'Fn::Base64': unknown } };
  const script = flatten(data.UserData['Fn::Base64']);
  return Object.fromEntries(
    [...script.matchAll(/^Environment="([A-Z0-9_]+)=(.*)"$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
}

/** The two media buckets' logical ids in a template. */
function mediaBuckets(template: Template): { uploads: string; media: string } {
  return {
    uploads: only(template, 'AWS::S3::Bucket', 'MediaUploadBucket')[0],
    media: only(template, 'AWS::S3::Bucket', 'MediaMediaBucket')[0],
  };
}

/** The statements of a bucket's policy. */
function bucketPolicy(template: Template, bucketId: string): Statement[] {
  const policies = Object.values(resourcesOf(template)).filter(
    (resource) =>
      resource.Type === 'AWS::S3::BucketPolicy' &&
      (resource.Properties.Bucket as { Ref?: string } | undefined)?.Ref === bucketId,
  );
  if (policies.length !== 1) throw new Error(`${policies.length} policies for ${bucketId}`);
  return statementsOf(policies[0] as Resource);
}

const sslOnly = (bucketId: string) => ({
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }],
});

const environments: Environment[] = ['dev', 'prod'];

for (const environment of environments) {
  test(`when ${environment} is synthesized, then both media buckets are S3-encrypted, private, HTTPS-only and retained`, async (t) => {
    const { template } = await cliSynth(environment);
    const resources = resourcesOf(template);
    for (const id of Object.values(mediaBuckets(template))) {
      t.like(
        resources[id]?.Properties,
        {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        },
        id,
      );
      t.like(resources[id], { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }, id);
      t.deepEqual(
        bucketPolicy(template, id).filter((statement) => statement.Effect === 'Deny'),
        [sslOnly(id)],
        `${id} refuses every request without TLS`,
      );
    }
  });
}

test('when an upload is never taken, then the upload bucket deletes it after a day, with any unfinished multipart upload, and keeps no versions', async (t) => {
  const { template } = await cliSynth('dev');
  const { uploads } = mediaBuckets(template);
  const properties = resourcesOf(template)[uploads]?.Properties ?? {};
  t.deepEqual(properties.LifecycleConfiguration, {
    Rules: [{ ExpirationInDays: 1, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }],
  });
  t.is(properties.VersioningConfiguration, undefined, 'a deleted upload leaves no old version behind');
});

test('when a product image is replaced or deleted, then the media bucket keeps the old version for 30 days', async (t) => {
  const { template } = await cliSynth('dev');
  const { media } = mediaBuckets(template);
  const properties = resourcesOf(template)[media]?.Properties ?? {};
  t.deepEqual(properties.VersioningConfiguration, { Status: 'Enabled' });
  t.deepEqual(properties.LifecycleConfiguration, {
    Rules: [
      { NoncurrentVersionExpiration: { NoncurrentDays: 30 }, ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
    ],
  });
});

test('when S3 logs access to the media buckets, then each logs to the edge log bucket under its own prefix, admitted by bucket policy', async (t) => {
  const { template } = await cliSynth('dev');
  const [logBucket] = only(template, 'AWS::S3::Bucket', 'EdgeLogs');
  const logPolicy = bucketPolicy(template, logBucket);
  const resources = resourcesOf(template);
  for (const [id, prefix] of [
    [mediaBuckets(template).uploads, 'upload-bucket/'],
    [mediaBuckets(template).media, 'media-bucket/'],
  ] as const) {
    t.deepEqual(resources[id]?.Properties.LoggingConfiguration, {
      DestinationBucketName: { Ref: logBucket },
      LogFilePrefix: prefix,
    });
    const delivery = logPolicy.filter((statement) => JSON.stringify(statement.Condition).includes(`"${id}"`));
    t.deepEqual(
      delivery.map((statement) => ({ ...statement, Resource: flatten(statement.Resource) })),
      [
        {
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `<${logBucket}.Arn>/${prefix}*`,
          Condition: {
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [id, 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        },
      ],
      id,
    );
  }
});

test('when a staff page POSTs an upload form, then the upload bucket allows POST from the CloudFront name, any header, cached 3000 s', async (t) => {
  const { template } = await cliSynth('dev');
  const { uploads } = mediaBuckets(template);
  const [distribution] = only(template, 'AWS::CloudFront::Distribution');
  const cors = resourcesOf(template)[uploads]?.Properties.CorsConfiguration as {
    CorsRules: { AllowedOrigins: unknown[] }[];
  };
  t.is(cors.CorsRules.length, 1);
  t.like(cors.CorsRules[0], { AllowedMethods: ['POST'], AllowedHeaders: ['*'], MaxAge: 3000 });
  t.deepEqual(cors.CorsRules[0]?.AllowedOrigins.map(flatten), [`https://<${distribution}.DomainName>`]);
  t.is(resourcesOf(template)[mediaBuckets(template).media]?.Properties.CorsConfiguration, undefined);
});

test('when the storefront has a domain, then uploads may come from it and from the CloudFront name', (t) => {
  const stack = constructedStack('prod', { hostedZone: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
  const buckets = stack.node
    .findAll()
    .filter((construct): construct is s3.CfnBucket => construct instanceof s3.CfnBucket)
    .filter((bucket) => bucket.node.path.endsWith('/Media/UploadBucket/Resource'));
  t.is(buckets.length, 1);
  const cors = stack.resolve(buckets[0]?.corsConfiguration) as {
    corsRules: { allowedMethods: string[]; allowedOrigins: unknown[] }[];
  };
  t.deepEqual(cors.corsRules[0]?.allowedMethods, ['POST']);
  const origins = cors.corsRules[0]?.allowedOrigins.map(flatten) ?? [];
  t.is(origins.length, 2);
  t.is(origins[0], 'https://shop.example.com');
  t.regex(origins[1] ?? '', /^https:\/\/<EdgeDistribution[0-9A-F]+\.DomainName>$/);
});

test('when a shopper loads /media/*, then CloudFront reads the media bucket with origin access control, GET and HEAD only, over HTTPS, cached as the objects say', async (t) => {
  const { template } = await cliSynth('dev');
  const { media } = mediaBuckets(template);
  const [, distribution] = only(template, 'AWS::CloudFront::Distribution');
  const config = distribution.Properties.DistributionConfig as {
    Origins: {
      Id: string;
      DomainName: unknown;
      OriginPath?: string;
      OriginAccessControlId?: unknown;
      S3OriginConfig?: unknown;
    }[];
    DefaultCacheBehavior: { ResponseHeadersPolicyId: unknown };
    CacheBehaviors: Record<string, unknown>[];
  };
  const behaviours = config.CacheBehaviors.filter((behaviour) => behaviour.PathPattern === '/media/*');
  t.is(behaviours.length, 1);
  const behaviour = behaviours[0] ?? {};
  t.like(behaviour, {
    AllowedMethods: ['GET', 'HEAD'],
    ViewerProtocolPolicy: 'redirect-to-https',
    Compress: true,
    // CachingOptimized: no query string, header or cookie in the key; the origin's max-age kept up to a year.
    CachePolicyId: cloudfront.CachePolicy.CACHING_OPTIMIZED.cachePolicyId,
  });
  t.deepEqual(
    behaviour.ResponseHeadersPolicyId,
    config.DefaultCacheBehavior.ResponseHeadersPolicyId,
    "the pages' headers",
  );
  t.is(behaviour.OriginRequestPolicyId, undefined);
  const origin = config.Origins.find((candidate) => candidate.Id === behaviour.TargetOriginId);
  t.deepEqual(origin?.DomainName, { 'Fn::GetAtt': [media, 'RegionalDomainName'] });
  t.is(origin?.OriginPath, undefined, 'the URL path is the object key');
  t.deepEqual(origin?.S3OriginConfig, { OriginAccessIdentity: '' }, 'no legacy origin access identity');
  const controlId = (origin?.OriginAccessControlId as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0];
  t.like(resourcesOf(template)[controlId ?? '']?.Properties, {
    OriginAccessControlConfig: {
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    },
  });
});

test("when CloudFront reads the media bucket, then the bucket's policy allows this distribution's GetObject and nothing else", async (t) => {
  const { template } = await cliSynth('dev');
  const { uploads, media } = mediaBuckets(template);
  const [distribution] = only(template, 'AWS::CloudFront::Distribution');
  const allowed = bucketPolicy(template, media).filter((statement) => statement.Effect === 'Allow');
  t.deepEqual(
    allowed.map((statement) => ({
      ...statement,
      Resource: flatten(statement.Resource),
      Condition: flatten(
        (statement.Condition as { StringEquals: Record<string, unknown> }).StringEquals['AWS:SourceArn'],
      ),
      conditionKeys: Object.keys((statement.Condition as { StringEquals: Record<string, unknown> }).StringEquals),
    })),
    [
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `<${media}.Arn>/*`,
        Condition: `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${distribution}>`,
        conditionKeys: ['AWS:SourceArn'],
      },
    ],
  );
  t.deepEqual(
    bucketPolicy(template, uploads).filter((statement) => statement.Effect === 'Allow'),
    [],
    'nobody reads uploads through CloudFront',
  );
});

for (const environment of environments) {
  test(`when ${environment} is synthesized, then catalog's role may sign, read and delete uploads and write and delete sizes, by key prefix only`, async (t) => {
    const { template } = await cliSynth(environment);
    const { uploads, media } = mediaBuckets(template);
    const [, policy] = only(template, 'AWS::IAM::Policy', 'ComputeCatalogRoleDefaultPolicy');
    const onBuckets = statementsOf(policy).filter((statement) =>
      resourcesIn(statement).some((resource) => resource.includes(`<${uploads}.`) || resource.includes(`<${media}.`)),
    );
    t.deepEqual(
      onBuckets.map((statement) => ({
        sid: statement.Sid,
        effect: statement.Effect,
        actions: actionsOf(statement),
        resources: resourcesIn(statement),
        condition: statement.Condition,
      })),
      [
        {
          sid: 'MediaUploads',
          effect: 'Allow',
          actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          resources: [`<${uploads}.Arn>/uploads/*`],
          condition: undefined,
        },
        {
          sid: 'MediaObjects',
          effect: 'Allow',
          actions: ['s3:DeleteObject', 's3:PutObject'],
          resources: [`<${media}.Arn>/media/*`],
          condition: undefined,
        },
      ],
    );
    // No statement of catalog's names S3 on anything but these two and the app bundle.
    const s3Statements = statementsOf(policy).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    t.deepEqual(s3Statements.map((statement) => statement.Sid).sort(), ['AppBundle', 'MediaObjects', 'MediaUploads']);
  });

  test(`when ${environment} is synthesized, then no other identity policy names the media buckets`, async (t) => {
    const { template } = await cliSynth(environment);
    const { uploads, media } = mediaBuckets(template);
    const named: string[] = [];
    for (const [id, resource] of Object.entries(resourcesOf(template))) {
      if (!['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role'].includes(resource.Type)) continue;
      const text = JSON.stringify(resource.Properties);
      if (text.includes(`"${uploads}"`) || text.includes(`"${media}"`)) named.push(id);
    }
    t.is(named.length, 1, named.join(', '));
    t.regex(named[0] ?? '', /^ComputeCatalogRoleDefaultPolicy/);
  });

  test(`when ${environment} is synthesized, then catalog's instances get the bucket names and no S3 endpoint, and no other fleet gets them`, async (t) => {
    const { template } = await cliSynth(environment);
    const { uploads, media } = mediaBuckets(template);
    const catalog = unitEnvironment(template, 'ComputeCatalogLaunchTemplate');
    t.is(catalog.UPLOAD_BUCKET, `<${uploads}>`);
    t.is(catalog.MEDIA_BUCKET, `<${media}>`);
    t.false('S3_ENDPOINT' in catalog, 'the regional endpoint');
    t.false('UPLOAD_URL' in catalog, "the bucket's own URL");
    for (const other of [
      'ComputeInventoryLaunchTemplate',
      'ComputeAnalyticsLaunchTemplate',
      'ComputeSearchIndexerLaunchTemplate',
    ]) {
      const settings = unitEnvironment(template, other);
      t.true(Object.keys(settings).length > 0, `${other} has a unit environment`);
      t.false('UPLOAD_BUCKET' in settings || 'MEDIA_BUCKET' in settings, other);
    }
  });
}
