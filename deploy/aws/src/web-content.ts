import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type aws_cloudfront as cloudfront,
  Duration,
  aws_iam as iam,
  type aws_kms as kms,
  aws_logs as logs,
  RemovalPolicy,
  Stack,
  type aws_s3 as s3,
  aws_s3_deployment as s3deploy,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IdentityRefs } from './contracts.js';
import { cognitoApiOrigin } from './identity.js';

/** Where `npm run build -w web` writes the web build. */
export const defaultWebDist = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** What the pages read from `/config.json` at run time (web/src/web-config.ts). */
export interface WebConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  cognitoEndpoint: string;
}

export interface WebContentProps {
  bucket: s3.IBucket;
  distribution: cloudfront.IDistribution;
  identity: IdentityRefs;
  /** The web build: a folder holding index.html, the other pages, and hashed files under assets/. */
  webDist: string;
  /** Encrypts the handler's log group; its policy must let CloudWatch Logs use it (DataStores). */
  logsKey: kms.IKey;
  /** The handler's log group outlives the stack (prod); by default it goes with it. */
  retainLogs?: boolean;
}

/** The web build's folder: `-c webDist=<folder>` (relative to the working directory), else web/dist. */
export function webDistFromContext(scope: Construct): string {
  const configured = scope.node.tryGetContext('webDist') as string | undefined;
  return configured ? resolve(configured) : defaultWebDist;
}

/**
 * The web build and its run-time config in the web bucket. Two deployments of the one build:
 * the hashed files under assets/ first, cached for a year and never pruned, so a page still open
 * in a browser can load what it references after a deploy; then the pages and config.json,
 * pruned, revalidated by browsers on every load and held by CloudFront until the deploy
 * invalidates them.
 *
 * The functions below build the parts into this one scope, as Compute does, so every resource's
 * construct path stays `Web/<id>` (the logical ids, the cdk-nag suppressions and the checkov skips
 * are keyed on it).
 */
export class WebContent extends Construct {
  readonly assets: s3deploy.BucketDeployment;
  readonly pages: s3deploy.BucketDeployment;
  readonly config: WebConfig;
  /** The role of the deployments' handler (one Lambda function for both). */
  readonly handlerRole: iam.Role;

  constructor(scope: Construct, id: string, props: WebContentProps) {
    super(scope, id);
    const { bucket, distribution, identity, webDist } = props;
    requireWebBuild(webDist);
    this.config = webConfig(Stack.of(this).region, identity);

    // Given, rather than the default role, so the handler writes to its own log group (with a
    // retention) instead of holding AWSLambdaBasicExecutionRole. The deployments get the role
    // without policy updates, so their own grants (s3:GetObject*, s3:List*, s3:DeleteObject*,
    // s3:Abort* on both buckets, invalidations on *) are dropped for handlerPermissions' statements.
    const logGroup = new logs.LogGroup(this, 'HandlerLogs', {
      encryptionKey: props.logsKey,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.handlerRole = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'shop-platform web deployment: copies the web build to the web bucket',
    });
    const handler = { role: this.handlerRole.withoutPolicyUpdates(), logGroup };
    const zips: s3deploy.SourceConfig[] = [];
    const build = recordingSource(s3deploy.Source.asset(webDist), zips);
    const configFile = recordingSource(s3deploy.Source.jsonData('config.json', this.config), zips);

    this.assets = assetsDeployment(this, { handler, build, bucket });
    this.pages = pagesDeployment(this, { handler, sources: [build, configFile], bucket, distribution });
    // The zips are known once both deployments have bound their sources.
    handlerPermissions(this, this.handlerRole, { logGroup, zips, bucket, distribution });
    this.pages.node.addDependency(this.assets);
  }
}

/** Deploying without the build would prune the live site down to config.json. */
function requireWebBuild(webDist: string): void {
  if (!existsSync(join(webDist, 'index.html'))) {
    throw new Error(
      `No web build at ${webDist} (index.html is missing): run \`npm run build -w web\` first, or pass -c webDist=<folder>`,
    );
  }
}

function webConfig(region: string, identity: IdentityRefs): WebConfig {
  return {
    region,
    userPoolId: identity.userPool.userPoolId,
    clientId: identity.appClient.userPoolClientId,
    cognitoEndpoint: `${cognitoApiOrigin(region)}/`,
  };
}

/** The one handler both deployments run: the given role (without policy updates) and its log group. */
interface DeploymentHandler {
  role: iam.IRole;
  logGroup: logs.ILogGroup;
}

/** The hashed files under assets/, in `scope`: cached for a year, never pruned. */
function assetsDeployment(
  scope: Construct,
  props: { handler: DeploymentHandler; build: s3deploy.ISource; bucket: s3.IBucket },
): s3deploy.BucketDeployment {
  return new s3deploy.BucketDeployment(scope, 'Assets', {
    ...props.handler,
    sources: [props.build],
    destinationBucket: props.bucket,
    // The sync applies filters in order: everything out, then assets/ back in.
    exclude: ['*'],
    include: ['assets/*'],
    prune: false,
    cacheControl: [
      s3deploy.CacheControl.setPublic(),
      s3deploy.CacheControl.maxAge(Duration.days(365)),
      s3deploy.CacheControl.immutable(),
    ],
  });
}

/** The pages and config.json, in `scope`: pruned, revalidated by browsers, invalidated in CloudFront. */
function pagesDeployment(
  scope: Construct,
  props: {
    handler: DeploymentHandler;
    sources: s3deploy.ISource[];
    bucket: s3.IBucket;
    distribution: cloudfront.IDistribution;
  },
): s3deploy.BucketDeployment {
  return new s3deploy.BucketDeployment(scope, 'Pages', {
    ...props.handler,
    sources: props.sources,
    destinationBucket: props.bucket,
    // Excluded objects are also left alone by the prune.
    exclude: ['assets/*'],
    cacheControl: [
      s3deploy.CacheControl.setPublic(),
      s3deploy.CacheControl.maxAge(Duration.seconds(0)),
      s3deploy.CacheControl.sMaxAge(Duration.days(1)),
    ],
    distribution: props.distribution,
    // One path however many pages the build has; the hashed files it also covers never change.
    distributionPaths: ['/*'],
  });
}

interface HandlerPermissionsProps {
  logGroup: logs.ILogGroup;
  /** Where the deployments' sources were staged. */
  zips: readonly s3deploy.SourceConfig[];
  bucket: s3.IBucket;
  distribution: cloudfront.IDistribution;
}

/**
 * What the handler does (bucket-deployment-handler/index.py): `aws s3 cp` of each source zip
 * (HeadObject and GetObject), `aws s3 sync` of the unpacked files to the web bucket
 * (ListObjectsV2, PutObject, DeleteObject for the prune, AbortMultipartUpload on a failed large
 * upload), then CreateInvalidation and GetInvalidation while it waits. No KMS grant: the web
 * bucket is SSE-S3, and the bootstrap bucket's key (AWS-managed, or bootstrap's own) lets any
 * principal of the account use it through S3.
 */
function handlerPermissions(scope: Construct, role: iam.Role, props: HandlerPermissionsProps): void {
  const { logGroup, zips, bucket, distribution } = props;
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'Logs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadBuildZips',
      actions: ['s3:GetObject'],
      resources: uniqueResolved(
        scope,
        zips.map((zip) => zip.bucket.arnForObjects(zip.zipObjectKey)),
      ),
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({ sid: 'ListWebBucket', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'WriteWebObjects',
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'InvalidateDistribution',
      actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
      resources: [distribution.distributionArn],
    }),
  );
}

/** A source that records where it was staged (bucket and zip key) each time a deployment binds it. */
function recordingSource(source: s3deploy.ISource, into: s3deploy.SourceConfig[]): s3deploy.ISource {
  return {
    bind: (scope, context) => {
      const config = source.bind(scope, context);
      into.push(config);
      return config;
    },
  };
}

/** The values once each, compared as CloudFormation will see them. */
function uniqueResolved(scope: Construct, values: string[]): string[] {
  const byResolved = new Map<string, string>();
  for (const value of values) byResolved.set(JSON.stringify(Stack.of(scope).resolve(value)), value);
  return [...byResolved.values()];
}
