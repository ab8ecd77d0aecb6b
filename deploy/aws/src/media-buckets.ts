import { Duration, aws_iam as iam, RemovalPolicy, Stack, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MediaRefs } from './contracts.js';

/** Where catalog puts an upload's presigned POST (`uploads/<productId>/<uploadId>`). */
const uploadKeyPrefix = 'uploads/';
/**
 * Where catalog writes the checked, re-encoded sizes: the key is the URL path without its leading
 * slash (`/media/<productId>/<imageId>/<width>.webp`), so CloudFront's `/media/*` needs no origin path.
 */
const mediaKeyPrefix = 'media/';

/**
 * Product images in two private buckets. Staff browsers POST an upload straight to the upload
 * bucket (a presigned POST catalog signs); catalog reads and checks it, writes WebP sizes to the
 * media bucket and deletes the upload. Only CloudFront reads the media bucket (origin access
 * control, added by Edge's `/media/*`).
 *
 * The fleets need the buckets' names, and the fleets come before the edge, so what the buckets
 * learn from the edge is added once it exists: where they log (`logTo`) and which site may POST
 * uploads (`allowUploadsFrom`).
 */
export class MediaBuckets extends Construct implements MediaRefs {
  /** Transient: an upload lives until catalog has checked it, a day at most. */
  readonly uploadBucket: s3.Bucket;
  /** The re-encoded sizes the storefront shows, under `media/`. */
  readonly mediaBucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Unversioned: a deleted upload must be gone, not kept as an old version of bytes nobody checked.
    this.uploadBucket = new s3.Bucket(this, 'UploadBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3-managed keys: a presigned POST then needs no KMS permission of the signer.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // An upload catalog never got to (the staff page closed, the check failed before the delete)
      // goes after a day, as does a multipart upload nobody completed.
      lifecycleRules: [{ expiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.mediaBucket = new s3.Bucket(this, 'MediaBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // A deleted or overwritten image can be restored for 30 days; the delete markers left once
      // the old versions are gone are removed too.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30), expiredObjectDeleteMarker: true }],
      // The storefront's product images: kept when the stack goes, as the web bucket is.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Sends both buckets' server access logs to `logBucket` (under `upload-bucket/` and
   * `media-bucket/`), which admits them by bucket policy, held to each source bucket and this
   * account, as aws-cdk-lib writes it for `serverAccessLogsBucket`. That property needs the log
   * bucket when a bucket is made, and the edge's log bucket comes after the fleets.
   */
  logTo(logBucket: s3.IBucket): void {
    for (const [bucket, prefix] of [
      [this.uploadBucket, 'upload-bucket/'],
      [this.mediaBucket, 'media-bucket/'],
    ] as const) {
      const resource = bucket.node.defaultChild as s3.CfnBucket;
      resource.loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: prefix };
      logBucket.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
          actions: ['s3:PutObject'],
          resources: [logBucket.arnForObjects(`${prefix}*`)],
          conditions: {
            ArnLike: { 'aws:SourceArn': bucket.bucketArn },
            StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          },
        }),
      );
    }
  }

  /**
   * Lets the site's pages, at these origins (`https://<name>`), POST upload forms straight to the
   * upload bucket and read the answer. Browsers send the form as multipart/form-data, with
   * whatever headers they add, so every header is allowed.
   */
  allowUploadsFrom(origins: string[]): void {
    this.uploadBucket.addCorsRule({
      allowedMethods: [s3.HttpMethods.POST],
      allowedOrigins: origins,
      allowedHeaders: ['*'],
      maxAge: 3000,
    });
  }
}

/** Catalog's statements on each bucket (actions and resources; component-roles.ts names them). */
export interface CatalogMediaAccess {
  uploads: iam.PolicyStatementProps;
  media: iam.PolicyStatementProps;
}

/**
 * Catalog's access to the buckets' objects, by key prefix: a presigned POST is signed with
 * `s3:PutObject` on the upload's key, which catalog then reads (GetObject covers HeadObject) and
 * deletes; it writes and deletes the sizes (a multi-object delete needs DeleteObject on each key).
 */
export function catalogMediaAccess(media: MediaRefs): CatalogMediaAccess {
  return {
    uploads: {
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      resources: [media.uploadBucket.arnForObjects(`${uploadKeyPrefix}*`)],
    },
    media: {
      actions: ['s3:PutObject', 's3:DeleteObject'],
      resources: [media.mediaBucket.arnForObjects(`${mediaKeyPrefix}*`)],
    },
  };
}

/** How catalog finds the buckets; it talks to the regional S3 endpoint (no `S3_ENDPOINT` in AWS). */
export function mediaEnvironment(media: MediaRefs): Record<string, string> {
  return { UPLOAD_BUCKET: media.uploadBucket.bucketName, MEDIA_BUCKET: media.mediaBucket.bucketName };
}
