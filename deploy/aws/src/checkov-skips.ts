import { CfnResource, aws_cloudfront as cloudfront, type Stack } from 'aws-cdk-lib';

interface Skip {
  id: string;
  comment: string;
}

/**
 * The Lambda functions aws-cdk-lib adds for its own custom resources, by a path fragment of
 * each: the stack writes no function of its own. Any other function fails synthesis until its
 * dead-letter queue, VPC and concurrency are decided here.
 */
const awsCdkLibHandlers = [
  {
    path: '/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
    does: "strips the default security group's rules",
  },
  // AwsCustomResource's singleton function, named by a fixed id in aws-cdk-lib.
  { path: '/AWS679f53fac002430cb0da5b7982bd2287/Resource', does: "looks up CloudFront's origin-facing prefix list" },
  { path: '/Custom::CDKBucketDeployment', does: 'copies the web build to the web bucket' },
];

const handlerSkips: Skip[] = [
  {
    id: 'CKV_AWS_116',
    comment:
      'A custom resource handler of aws-cdk-lib, invoked by CloudFormation during deployments: its outcome goes back to CloudFormation, which fails and rolls back the deployment when it does not succeed, so a dead-letter queue would only hold events nobody replays.',
  },
  {
    id: 'CKV_AWS_117',
    comment:
      'A custom resource handler of aws-cdk-lib that calls AWS APIs only (EC2, S3, CloudFront) and reaches nothing inside the VPC; in the VPC it would need the NAT gateways or more endpoints for no gain.',
  },
  {
    id: 'CKV_AWS_115',
    comment:
      "A custom resource handler of aws-cdk-lib that runs a few times per deployment and never otherwise; reserving concurrency would take capacity from the account's pool for nothing.",
  },
];

/** The buckets that receive logs, by construct path, each with what it receives. */
const logBuckets = [
  { path: 'Compute/AlbAccessLogs/Resource', receives: "the ALB's access logs" },
  {
    path: 'Edge/Logs/Resource',
    receives: "CloudFront's standard logs and the web and media buckets' server access logs",
  },
  { path: 'Audit/TrailAccessLogs/Resource', receives: "the trail bucket's server access logs" },
];

/**
 * The checkov findings this design accepts, written into the template as each resource's
 * `Metadata.checkov.skip` (id and comment), where checkov reads them. The tests run checkov on
 * the synthesized templates and fail on any failed check, so a new finding is fixed or given its
 * reason here.
 */
export function applyCheckovSkips(stack: Stack): void {
  const cfnResources = stack.node.findAll().filter((construct) => construct instanceof CfnResource);

  const functions = cfnResources.filter((resource) => resource.cfnResourceType === 'AWS::Lambda::Function');
  for (const handler of awsCdkLibHandlers) {
    if (!functions.some((fn) => fn.node.path.includes(handler.path))) {
      throw new Error(`checkov skips: no Lambda function of aws-cdk-lib at ${handler.path} (${handler.does})`);
    }
  }
  for (const fn of functions) {
    if (!awsCdkLibHandlers.some((handler) => fn.node.path.includes(handler.path))) {
      throw new Error(
        `checkov skips: ${fn.node.path} is not a known aws-cdk-lib handler; decide its DLQ, VPC and concurrency`,
      );
    }
    skip(fn, ...handlerSkips);
    if (fn.node.path.includes('/Custom::CDKBucketDeployment')) {
      skip(fn, {
        id: 'CKV_AWS_173',
        comment:
          "The web deployment handler's one environment variable is AWS_CA_BUNDLE, a file path aws-cdk-lib sets; no secret, and Lambda encrypts variables at rest with its AWS managed key.",
      });
    }
  }

  for (const bucket of logBuckets) {
    skip(resourceAt(stack, bucket.path), {
      id: 'CKV_AWS_18',
      comment: `This bucket is a log destination (${bucket.receives}). Its own access logs would need another log bucket, with the same question for that one; reads of these logs are not recorded.`,
    });
  }

  skip(resourceAt(stack, 'Media/UploadBucket/Resource'), {
    id: 'CKV_AWS_21',
    comment:
      'The upload bucket holds unchecked files for minutes, a day at most: catalog deletes each upload once read, and the lifecycle expires the rest. Versioning would keep every deleted upload as an old version, bytes that never passed the image check, which is what the deletion is for; the checked sizes live in the versioned media bucket.',
  });

  for (const distribution of cfnResources.filter((resource) => resource instanceof cloudfront.CfnDistribution)) {
    const config = stack.resolve(distribution.distributionConfig) as {
      viewerCertificate?: { acmCertificateArn?: unknown };
    };
    // With a certificate, Edge sets TLSv1.2_2021 and the check passes.
    if (config.viewerCertificate?.acmCertificateArn === undefined) {
      skip(distribution, {
        id: 'CKV_AWS_174',
        comment:
          "No custom domain: viewers get CloudFront's default *.cloudfront.net certificate, whose security policy is fixed and still accepts TLS 1.0. With -c hostedZone the distribution gets a certificate of its own, Edge sets TLSv1.2_2021 and the check passes.",
      });
    }
  }
}

function resourceAt(stack: Stack, path: string): CfnResource {
  const found = stack.node.findAll().find((construct) => construct.node.path === `${stack.node.path}/${path}`);
  if (!(found instanceof CfnResource)) throw new Error(`checkov skips: no CloudFormation resource at ${path}`);
  return found;
}

function skip(resource: CfnResource, ...skips: Skip[]): void {
  const existing = (resource.getMetadata('checkov') as { skip?: Skip[] } | undefined)?.skip ?? [];
  resource.addMetadata('checkov', { skip: [...existing, ...skips] });
}
