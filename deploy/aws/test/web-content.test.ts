import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webContentSecurityPolicy } from '@shop/platform';
import test from 'ava';
import {
  App,
  type CfnElement,
  CfnResource,
  aws_cloudfront as cloudfront,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_kms as kms,
  Stack,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { Edge } from '../src/edge.js';
import { environmentSettings } from '../src/environments.js';
import { Identity } from '../src/identity.js';
import { pageRoutesFunctionCode } from '../src/page-routes.function.js';
import { WebContent } from '../src/web-content.js';
import { temporaryWebBuild, webBuildFiles } from './web-build-fixture.js';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

/** Sign-in, the edge and the web content in one region, synthesized into a folder the tests read. */
function buildStack(region: string) {
  const outdir = mkdtempSync(join(tmpdir(), 'shop-web-test-'));
  // Template validation runs on the whole stacks (stack.test.ts); these partial ones skip its cost.
  const app = new App({ outdir, context: { environment: 'dev' }, builtinCloudFormationValidation: false });
  const settings = environmentSettings(app);
  const stack = new Stack(app, 'Web', { env: { account: '111111111111', region } });
  const identity = new Identity(stack, 'Identity', { settings });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const edge = new Edge(stack, 'Edge', { settings, alb, mediaBucket: new s3.Bucket(stack, 'MediaBucket') });
  const webDist = temporaryWebBuild();
  const web = new WebContent(stack, 'Web', {
    bucket: edge.webBucket,
    distribution: edge.distribution,
    identity,
    webDist,
    logsKey: new kms.Key(stack, 'LogsKey'),
  });
  const template = Template.fromStack(stack);
  rmSync(webDist, { recursive: true, force: true });
  const id = (construct: IConstruct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  return { outdir, stack, identity, edge, web, template, resources, id };
}

const built = buildStack('us-east-1');
test.after.always(() => rmSync(built.outdir, { recursive: true, force: true }));

function defaultBehavior() {
  const distribution = built.resources[built.id(built.edge.distribution)] as Resource;
  return (
    distribution.Properties.DistributionConfig as {
      DefaultCacheBehavior: {
        ResponseHeadersPolicyId: unknown;
        FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
      };
      CacheBehaviors: { PathPattern: string; ResponseHeadersPolicyId: unknown }[];
    }
  ).DefaultCacheBehavior;
}

interface SecurityHeaders {
  ContentSecurityPolicy: { ContentSecurityPolicy: string; Override: boolean };
  StrictTransportSecurity: { AccessControlMaxAgeSec: number; IncludeSubdomains: boolean; Override: boolean };
  ContentTypeOptions: { Override: boolean };
  FrameOptions: { FrameOption: string; Override: boolean };
  ReferrerPolicy: { ReferrerPolicy: string; Override: boolean };
}

function pageHeaders(resources: Record<string, Resource>, policyId: unknown): SecurityHeaders {
  const ref = (policyId as { Ref?: string }).Ref;
  const policy = ref ? resources[ref] : undefined;
  if (policy?.Type !== 'AWS::CloudFront::ResponseHeadersPolicy') throw new Error('not a policy of this stack');
  return (policy.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: SecurityHeaders })
    .SecurityHeadersConfig;
}

test("when the web pages are served, then their CSP is the platform's web policy, with Cognito as the only other origin they call", (t) => {
  const headers = pageHeaders(built.resources, defaultBehavior().ResponseHeadersPolicyId);
  const csp = headers.ContentSecurityPolicy.ContentSecurityPolicy;
  t.is(csp, webContentSecurityPolicy({ connectSources: ['https://cognito-idp.us-east-1.amazonaws.com'] }));
  t.false(csp.includes("'unsafe-inline'"));
  t.false(csp.includes("'unsafe-eval'"));
  t.true(headers.ContentSecurityPolicy.Override);
});

test('when the web pages are served, then HSTS, nosniff, frame denial and the referrer policy are set over the origin', (t) => {
  const headers = pageHeaders(built.resources, defaultBehavior().ResponseHeadersPolicyId);
  t.like(headers, {
    StrictTransportSecurity: { AccessControlMaxAgeSec: 365 * 24 * 3600, IncludeSubdomains: true, Override: true },
    ContentTypeOptions: { Override: true },
    FrameOptions: { FrameOption: 'DENY', Override: true },
    ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
  });
});

test('when the API is served, then it keeps the managed security headers policy', (t) => {
  const distribution = built.resources[built.id(built.edge.distribution)] as Resource;
  const config = distribution.Properties.DistributionConfig as {
    CacheBehaviors: { PathPattern: string; ResponseHeadersPolicyId: unknown }[];
  };
  const api = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/api/*');
  t.is(api?.ResponseHeadersPolicyId, cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS.responseHeadersPolicyId);
});

test('when the stack deploys to another region, then the CSP names that region’s Cognito endpoint', (t) => {
  const app = new App({ context: { environment: 'dev' }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Elsewhere', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const edge = new Edge(stack, 'Edge', {
    settings: environmentSettings(app),
    alb,
    mediaBucket: new s3.Bucket(stack, 'MediaBucket'),
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const csp = pageHeaders(resources, { Ref: stack.getLogicalId(edge.webHeaders.node.defaultChild as CfnElement) })
    .ContentSecurityPolicy.ContentSecurityPolicy;
  t.is(csp, webContentSecurityPolicy({ connectSources: ['https://cognito-idp.eu-west-1.amazonaws.com'] }));
});

test('when a viewer requests a page, then the page-routes function runs on the default behaviour, as cloudfront-js-2.0', (t) => {
  const associations = defaultBehavior().FunctionAssociations ?? [];
  const functionId = built.id(built.edge.pageRoutes);
  t.deepEqual(associations, [
    { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
  ]);
  const deployed = built.resources[functionId] as Resource;
  t.is(deployed.Type, 'AWS::CloudFront::Function');
  t.like(deployed.Properties, {
    AutoPublish: true,
    FunctionCode: pageRoutesFunctionCode,
    FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
  });
});

interface DeploymentProperties {
  SourceBucketNames: unknown[];
  SourceObjectKeys: string[];
  SourceMarkers?: Record<string, unknown>[];
  DestinationBucketName: unknown;
  Prune: boolean;
  Exclude?: string[];
  Include?: string[];
  SystemMetadata?: Record<string, string>;
  DistributionId?: unknown;
  DistributionPaths?: string[];
}

/** The custom resource of a BucketDeployment, by its logical id. */
const deployment = (construct: IConstruct) => {
  const custom = construct.node
    .findAll()
    .find(
      (child): child is CfnResource =>
        child instanceof CfnResource && child.cfnResourceType === 'Custom::CDKBucketDeployment',
    );
  if (!custom) throw new Error(`${construct.node.path} has no deployment`);
  const id = built.stack.getLogicalId(custom);
  const resource = built.resources[id] as Resource;
  return { id, resource, properties: resource.Properties as unknown as DeploymentProperties };
};

/** The files of a source as staged for deployment: the asset folder named by its zip's hash. */
const stagedFile = (objectKey: string, path: string) =>
  join(built.outdir, `asset.${objectKey.replace(/\.zip$/, '')}`, path);

test('when the web content deploys, then the pages and config.json go to the web bucket and the distribution is invalidated', (t) => {
  const pages = deployment(built.web.pages).properties;
  t.deepEqual(pages.DestinationBucketName, { Ref: built.id(built.edge.webBucket) });
  t.deepEqual(pages.DistributionId, { Ref: built.id(built.edge.distribution) });
  t.deepEqual(pages.DistributionPaths, ['/*']);
  t.true(pages.Prune);
  t.deepEqual(pages.Exclude, ['assets/*']);
  t.is(pages.SourceObjectKeys.length, 2);
  const [buildKey, configKey] = pages.SourceObjectKeys as [string, string];
  for (const path of Object.keys(webBuildFiles)) t.true(existsSync(stagedFile(buildKey, path)), path);

  const config = JSON.parse(readFileSync(stagedFile(configKey, 'config.json'), 'utf8')) as Record<string, string>;
  const markers = pages.SourceMarkers?.[1] ?? {};
  const resolved = Object.fromEntries(Object.entries(config).map(([key, value]) => [key, markers[value] ?? value]));
  t.deepEqual(resolved, {
    region: 'us-east-1',
    userPoolId: { Ref: built.id(built.identity.userPool) },
    clientId: { Ref: built.id(built.identity.appClient) },
    cognitoEndpoint: 'https://cognito-idp.us-east-1.amazonaws.com/',
  });
});

test('when the web content deploys, then hashed assets go first, cached for a year and never pruned; pages are revalidated', (t) => {
  const assets = deployment(built.web.assets);
  const pages = deployment(built.web.pages);
  t.deepEqual(assets.properties.DestinationBucketName, { Ref: built.id(built.edge.webBucket) });
  t.deepEqual(assets.properties.SourceObjectKeys, [pages.properties.SourceObjectKeys[0]]);
  t.deepEqual([assets.properties.Exclude, assets.properties.Include], [['*'], ['assets/*']]);
  t.false(assets.properties.Prune);
  t.is(assets.properties.SystemMetadata?.['cache-control'], 'public, max-age=31536000, immutable');
  t.is(pages.properties.SystemMetadata?.['cache-control'], 'public, max-age=0, s-maxage=86400');
  t.true(pages.resource.DependsOn?.includes(assets.id));
});

test('when the deployment handler runs, then it logs to its own group and holds no managed policy', (t) => {
  const role = built.resources[built.id(built.web.handlerRole)] as Resource;
  t.is(role.Properties.ManagedPolicyArns, undefined);
  const handlers = Object.values(built.resources).filter(
    (resource) =>
      resource.Type === 'AWS::Lambda::Function' &&
      JSON.stringify(resource.Properties.Role) ===
        JSON.stringify({ 'Fn::GetAtt': [built.id(built.web.handlerRole), 'Arn'] }),
  );
  const [handler] = handlers;
  if (handlers.length !== 1 || !handler) return t.fail(`both deployments share one handler; found ${handlers.length}`);
  const logGroup = (handler.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  t.like(built.resources[logGroup], { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  // The first deployment runs only once the handler's statements exist.
  t.true(handler.DependsOn?.includes(handlerPolicy().id));
});

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

/** The handler role's one policy: the statements WebContent gives it. */
function handlerPolicy() {
  const role = built.id(built.web.handlerRole);
  const policies = Object.entries(built.resources).filter(
    ([, resource]) =>
      resource.Type === 'AWS::IAM::Policy' &&
      JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: role }]),
  );
  const [policy] = policies;
  if (policies.length !== 1 || !policy)
    throw new Error(`expected one policy on the handler role, found ${policies.length}`);
  const statements = (policy[1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  return { id: policy[0], statements, bySid: new Map(statements.map((statement) => [statement.Sid, statement])) };
}

test('when the deployment handler is granted, then it reads only the build zips, writes only the web bucket and invalidates only this distribution', (t) => {
  const { statements, bySid } = handlerPolicy();
  t.deepEqual(statements.map((statement) => statement.Sid).sort(), [
    'InvalidateDistribution',
    'ListWebBucket',
    'Logs',
    'ReadBuildZips',
    'WriteWebObjects',
  ]);
  for (const statement of statements) {
    for (const action of [statement.Action].flat()) t.false(action.includes('*'), `${statement.Sid}: ${action}`);
    t.not(statement.Resource, '*', statement.Sid);
  }
  const webBucketArn = { 'Fn::GetAtt': [built.id(built.edge.webBucket), 'Arn'] };
  t.like(bySid.get('ListWebBucket'), { Action: 's3:ListBucket', Resource: webBucketArn });
  t.deepEqual(bySid.get('WriteWebObjects')?.Action, ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']);
  t.deepEqual(bySid.get('WriteWebObjects')?.Resource, { 'Fn::Join': ['', [webBucketArn, '/*']] });

  // Each zip the two deployments name, by its exact key, and nothing else of the assets bucket.
  const zips = new Set<string>();
  for (const { properties } of [deployment(built.web.assets), deployment(built.web.pages)]) {
    properties.SourceObjectKeys.forEach((key, index) => {
      zips.add(`:s3:::${String(properties.SourceBucketNames[index])}/${key}`);
    });
  }
  const read = bySid.get('ReadBuildZips');
  t.is(read?.Action, 's3:GetObject');
  const readArns = [read?.Resource].flat().map((resource) => JSON.stringify(resource));
  t.deepEqual(
    readArns.sort(),
    [...zips].map((tail) => JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, tail]] })).sort(),
  );

  const invalidate = bySid.get('InvalidateDistribution');
  t.deepEqual(invalidate?.Action, ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
  t.deepEqual(invalidate?.Resource, {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':cloudfront::111111111111:distribution/',
        { Ref: built.id(built.edge.distribution) },
      ],
    ],
  });
});

test('when the web build is missing, then synthesis stops and says how to build it', (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'shop-web-empty-'));
  try {
    const app = new App({ context: { environment: 'dev' } });
    const stack = new Stack(app, 'NoBuild');
    const identity = new Identity(stack, 'Identity', { settings: environmentSettings(app) });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const edge = new Edge(stack, 'Edge', {
      settings: environmentSettings(app),
      alb: new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }),
      mediaBucket: new s3.Bucket(stack, 'MediaBucket'),
    });
    t.throws(
      () =>
        new WebContent(stack, 'Web', {
          bucket: edge.webBucket,
          distribution: edge.distribution,
          identity,
          webDist: empty,
          logsKey: new kms.Key(stack, 'LogsKey'),
        }),
      { message: /No web build at .*npm run build -w web.*-c webDist=/ },
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
