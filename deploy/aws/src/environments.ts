import type { App } from 'aws-cdk-lib';

/** What differs between the platform's environments; chosen with `-c environment=dev|prod`. */
export interface EnvironmentSettings {
  name: 'dev' | 'prod';
  /** Availability zones the VPC spans (at least 2). */
  maxAzs: number;
  natGateways: number;
  /** Per auto-scaling group: On-Demand instances always kept, the rest Spot. */
  capacity: { min: number; max: number; onDemandBase: number };
  /** Instance types each group may use (Spot draws from all of them); one architecture (x86_64). */
  instanceTypes: readonly string[];
  /** Stores keep their data when the stack or a resource is deleted. */
  retainData: boolean;
  /** ACM certificate for the ALB's HTTPS listener (`-c certificateArn=...`). */
  certificateArn: string;
  /**
   * The DNS name CloudFront calls the ALB by (`-c apiDomain=api.example.com`): a CNAME of the
   * ALB that `certificateArn` covers. Without it CloudFront calls the ALB's own name, which the
   * certificate does not cover, and HTTPS to the origin fails.
   */
  apiDomain?: string;
  /** Where alarms are sent; an e-mail subscription is added when set (`-c opsEmail=...`). */
  opsEmail?: string;
  /** Requests per 5 minutes per client address before the WAF rate rule blocks. */
  wafRateLimit: number;
}

const placeholderCertificate = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

const defaults: Record<
  EnvironmentSettings['name'],
  Omit<EnvironmentSettings, 'certificateArn' | 'opsEmail' | 'apiDomain'>
> = {
  dev: {
    name: 'dev',
    maxAzs: 2,
    natGateways: 1,
    capacity: { min: 1, max: 4, onDemandBase: 1 },
    instanceTypes: ['t3.small', 't3a.small', 't3.medium'],
    retainData: false,
    wafRateLimit: 2000,
  },
  prod: {
    name: 'prod',
    maxAzs: 3,
    natGateways: 3,
    capacity: { min: 2, max: 20, onDemandBase: 2 },
    instanceTypes: ['c6i.large', 'c6a.large', 'c5.large', 'm6i.large'],
    retainData: true,
    wafRateLimit: 2000,
  },
};

/** Reads the environment's settings from CDK context; unknown names fail loudly. */
export function environmentSettings(app: App): EnvironmentSettings {
  const name = String(app.node.tryGetContext('environment') ?? 'dev');
  if (name !== 'dev' && name !== 'prod') throw new Error(`unknown environment "${name}"; use dev or prod`);
  const opsEmail = app.node.tryGetContext('opsEmail') as string | undefined;
  const apiDomain = app.node.tryGetContext('apiDomain') as string | undefined;
  return {
    ...defaults[name],
    certificateArn: String(app.node.tryGetContext('certificateArn') ?? placeholderCertificate),
    ...(opsEmail ? { opsEmail } : {}),
    ...(apiDomain ? { apiDomain } : {}),
  };
}
