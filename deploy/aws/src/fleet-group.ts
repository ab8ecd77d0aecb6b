import {
  aws_autoscaling as autoscaling,
  Duration,
  aws_ec2 as ec2,
  type aws_iam as iam,
  type aws_logs as logs,
  Stack,
  type aws_s3_assets as s3Assets,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { BundledNode } from './bundled-node.js';
import type { EnvironmentSettings } from './environments.js';
import type { ComponentBoot } from './user-data.js';

/** CloudWatch namespace of the metrics the agents scrape from every process's `/metrics`. */
export const platformNamespace = 'ShopPlatform';

/** What every fleet's instances are built from, whichever component they run. */
export interface FleetContext {
  vpc: ec2.IVpc;
  settings: EnvironmentSettings;
  /** The app bundle (this repository, zipped) every instance downloads at boot. */
  bundle: s3Assets.Asset;
  /** The one CPU architecture of the fleets' instance types, which picks the image and the Node.js binary. */
  architecture: ec2.InstanceArchitecture;
  /** The Node.js binary the bundle installs for that architecture, which every component runs on. */
  nodeRuntime: BundledNode;
  /** Where the agents write the scraped metrics, for all components. */
  metricsLogs: logs.LogGroup;
}

/** One fleet's own instance settings. */
export interface FleetInstances {
  role: iam.Role;
  securityGroup: ec2.SecurityGroup;
  userData: ec2.UserData;
  /** Instances that fail the load balancer's health check are replaced, not only those EC2 finds impaired. */
  behindLoadBalancer: boolean;
  /** The group's size, when not the environment's `capacity`. */
  capacity?: EnvironmentSettings['capacity'];
}

/** The boot settings every component shares: where the bundle is, which Node.js, where metrics go. */
export function sharedBoot(
  scope: Construct,
  context: FleetContext,
): Pick<ComponentBoot, 'region' | 'bundle' | 'nodeVersion' | 'metricNamespace' | 'metricsLogGroupName'> {
  return {
    region: Stack.of(scope).region,
    bundle: { bucketName: context.bundle.s3BucketName, objectKey: context.bundle.s3ObjectKey },
    nodeVersion: context.nodeRuntime.version,
    metricNamespace: platformNamespace,
    metricsLogGroupName: context.metricsLogs.logGroupName,
  };
}

/**
 * A fleet's auto-scaling group (`<title>Group` in `scope`) over its launch template: an On-Demand
 * base with Spot above it across several instance types, private subnets, rolling replacement
 * confirmed by each instance's boot signal.
 */
export function fleetGroup(
  scope: Construct,
  title: string,
  context: FleetContext,
  instances: FleetInstances,
): autoscaling.AutoScalingGroup {
  const { vpc, settings } = context;
  const capacity = instances.capacity ?? settings.capacity;
  const launchTemplate = fleetLaunchTemplate(scope, title, context, instances);
  const bootTimeout = Duration.minutes(20);
  const group = new autoscaling.AutoScalingGroup(scope, `${title}Group`, {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    minCapacity: capacity.min,
    maxCapacity: capacity.max,
    mixedInstancesPolicy: {
      launchTemplate,
      instancesDistribution: {
        onDemandBaseCapacity: capacity.onDemandBase,
        // Everything above the base is Spot, in every environment.
        onDemandPercentageAboveBaseCapacity: 0,
        spotAllocationStrategy: autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
      },
      launchTemplateOverrides: settings.instanceTypes.map((type) => ({ instanceType: new ec2.InstanceType(type) })),
    },
    // Replace Spot instances at risk before they are interrupted.
    capacityRebalance: true,
    healthChecks: instances.behindLoadBalancer
      ? autoscaling.HealthChecks.withAdditionalChecks({
          additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
          gracePeriod: bootTimeout,
        })
      : autoscaling.HealthChecks.ec2({ gracePeriod: bootTimeout }),
    defaultInstanceWarmup: Duration.minutes(5),
    groupMetrics: [autoscaling.GroupMetrics.all()],
    // A new bundle or image replaces instances one at a time, each confirmed by its boot signal.
    signals: autoscaling.Signals.waitForMinCapacity({ timeout: bootTimeout }),
    updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
      maxBatchSize: 1,
      minInstancesInService: capacity.min,
    }),
  });
  instances.userData.addSignalOnExitCommand(group);
  return group;
}

/** Amazon Linux 2023 with IMDSv2 only, no SSH key (Session Manager instead), an encrypted gp3 root volume. */
function fleetLaunchTemplate(
  scope: Construct,
  title: string,
  context: FleetContext,
  instances: FleetInstances,
): ec2.LaunchTemplate {
  return new ec2.LaunchTemplate(scope, `${title}LaunchTemplate`, {
    machineImage: ec2.MachineImage.latestAmazonLinux2023({
      cpuType:
        context.architecture === ec2.InstanceArchitecture.ARM_64
          ? ec2.AmazonLinuxCpuType.ARM_64
          : ec2.AmazonLinuxCpuType.X86_64,
    }),
    role: instances.role,
    securityGroup: instances.securityGroup,
    userData: instances.userData,
    requireImdsv2: true,
    httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
    httpEndpoint: true,
    httpPutResponseHopLimit: 1,
    detailedMonitoring: context.settings.name === 'prod',
    blockDevices: [
      {
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(20, {
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          encrypted: true,
          deleteOnTermination: true,
        }),
      },
    ],
  });
}
