import { searchIndexer } from '@shop/topology';
import test from 'ava';
import type { Template } from 'aws-cdk-lib/assertions';
import { indexingLagQuery } from '../src/monitoring.js';
import { cliSynth, type Environment, removeCliOutputs } from './stack-fixture.js';

test.after.always(removeCliOutputs);

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
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

const domainOf = (template: Template) => only(template, 'AWS::OpenSearchService::Domain');

/** A CloudFormation value as text, references as `<Id>` or `<Id.Attribute>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const reference = value as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
  if (reference.Ref) return `<${reference.Ref}>`;
  if (reference['Fn::GetAtt']) return `<${reference['Fn::GetAtt'].join('.')}>`;
  if (reference['Fn::Join']) return reference['Fn::Join'][1].map(flatten).join(reference['Fn::Join'][0]);
  return JSON.stringify(value);
}

/** The statements of the role's default policy (`<prefix>DefaultPolicy…`). */
function roleStatements(template: Template, rolePrefix: string): Statement[] {
  const [, policy] = only(template, 'AWS::IAM::Policy', `${rolePrefix}DefaultPolicy`);
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

const actionsOf = (statement: Statement | undefined) => [statement?.Action ?? []].flat().sort();
const resourcesIn = (statement: Statement | undefined) => [statement?.Resource ?? []].flat().map(flatten).sort();

/** The systemd unit's `Environment=` settings in a fleet's boot script, by name. */
function unitEnvironment(template: Template, launchTemplatePrefix: string): Record<string, string> {
  const [, launchTemplate] = only(template, 'AWS::EC2::LaunchTemplate', launchTemplatePrefix);
  const data = launchTemplate.Properties.LaunchTemplateData as { UserData: { 'Fn::Base64': unknown } };
  const script = flatten(data.UserData['Fn::Base64']);
  return Object.fromEntries(
    [...script.matchAll(/^Environment="([A-Z_]+)=(.*)"$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
}

const environments = ['dev', 'prod'] as const;

for (const environment of environments) {
  test(`when ${environment} is synthesized, then the search domain runs OpenSearch 2.19 in the private subnets behind its own security group`, async (t) => {
    const { template } = await cliSynth(environment);
    const [, domain] = domainOf(template);
    const properties = domain.Properties;
    t.is(properties.EngineVersion, 'OpenSearch_2.19');
    t.is(properties.DomainName, `shop-${environment}-search`);
    const vpc = properties.VPCOptions as { SubnetIds: { Ref: string }[]; SecurityGroupIds: unknown[] };
    const [securityGroupId] = only(template, 'AWS::EC2::SecurityGroup', 'SearchSecurityGroup');
    t.deepEqual(vpc.SecurityGroupIds, [{ 'Fn::GetAtt': [securityGroupId, 'GroupId'] }]);
    const subnets = resourcesOf(template);
    t.is(vpc.SubnetIds.length, environment === 'prod' ? 3 : 1);
    for (const { Ref: subnetId } of vpc.SubnetIds) {
      t.regex(subnetId, /^NetworkVpcappSubnet\d/, 'a private (app) subnet');
      t.is(subnets[subnetId]?.Properties.MapPublicIpOnLaunch, false, subnetId);
    }
    t.like(properties, {
      EncryptionAtRestOptions: { Enabled: true, KmsKeyId: { Ref: only(template, 'AWS::KMS::Key')[0] } },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07' },
      EBSOptions: { EBSEnabled: true, VolumeType: 'gp3', VolumeSize: environment === 'prod' ? 20 : 10 },
    });
    t.deepEqual(domain.DependsOn, [only(template, 'AWS::Logs::ResourcePolicy')[0]], 'the log policy comes first');
  });

  test(`when ${environment} is synthesized, then fine-grained access control is on with an IAM role as master user, and the domain's own policy names only that role`, async (t) => {
    const { template } = await cliSynth(environment);
    const [, domain] = domainOf(template);
    const [adminRoleId, adminRole] = only(template, 'AWS::IAM::Role', 'SearchAdminRole');
    t.deepEqual(domain.Properties.AdvancedSecurityOptions, {
      Enabled: true,
      InternalUserDatabaseEnabled: false,
      MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [adminRoleId, 'Arn'] } },
    });
    const trust = (adminRole.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
    t.is(trust.length, 1);
    t.regex(JSON.stringify(trust[0]?.Principal), /:root/, 'assumed from the account, by operators');
    const policy = (domain.Properties.AccessPolicies as { Statement: Statement[] }).Statement;
    t.is(policy.length, 1);
    t.deepEqual(policy[0]?.Principal, { AWS: { 'Fn::GetAtt': [adminRoleId, 'Arn'] } });
    t.regex(flatten(policy[0]?.Resource), new RegExp(`:domain/shop-${environment}-search/\\*$`));
  });

  test(`when ${environment} is synthesized, then the domain admits HTTPS from the catalog and search indexer groups only`, async (t) => {
    const { template } = await cliSynth(environment);
    const [securityGroupId, securityGroup] = only(template, 'AWS::EC2::SecurityGroup', 'SearchSecurityGroup');
    t.is(securityGroup.Properties.SecurityGroupIngress, undefined, 'no inline rule');
    const rules = Object.values(resourcesOf(template))
      .filter((resource) => resource.Type === 'AWS::EC2::SecurityGroupIngress')
      .map((resource) => resource.Properties)
      .filter((rule) => JSON.stringify(rule.GroupId).includes(securityGroupId));
    const [catalogGroupId] = only(template, 'AWS::EC2::SecurityGroup', 'ComputeCatalogSecurityGroup');
    const [indexerGroupId] = only(template, 'AWS::EC2::SecurityGroup', 'ComputeSearchIndexerSecurityGroup');
    t.deepEqual(
      rules.map((rule) => ({
        IpProtocol: rule.IpProtocol,
        FromPort: rule.FromPort,
        ToPort: rule.ToPort,
        Source: rule.SourceSecurityGroupId,
      })),
      [catalogGroupId, indexerGroupId].map((source) => ({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        Source: { 'Fn::GetAtt': [source, 'GroupId'] },
      })),
    );
  });

  test(`when ${environment} is synthesized, then catalog may only search the product alias and the search indexer may write the index and its generations`, async (t) => {
    const { template } = await cliSynth(environment);
    const [domainId] = domainOf(template);
    const arn = `<${domainId}.Arn>`;
    const catalog = roleStatements(template, 'ComputeCatalogRole');
    const catalogSearch = catalog.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('es:')),
    );
    t.is(catalogSearch.length, 1);
    t.is(catalogSearch[0]?.Sid, 'SearchReads');
    t.deepEqual(actionsOf(catalogSearch[0]), ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost']);
    t.deepEqual(resourcesIn(catalogSearch[0]), [`${arn}/products/_search`]);

    const indexer = roleStatements(template, 'ComputeSearchIndexerRole');
    const writes = indexer.filter((statement) => actionsOf(statement).some((action) => action.startsWith('es:')));
    t.is(writes.length, 1);
    t.is(writes[0]?.Sid, 'SearchWrites');
    t.deepEqual(
      actionsOf(writes[0]),
      ['es:ESHttpDelete', 'es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut'].sort(),
    );
    t.deepEqual(
      resourcesIn(writes[0]),
      [`${arn}/products`, `${arn}/products/*`, `${arn}/products-*`, `${arn}/_alias/products`, `${arn}/_aliases`].sort(),
    );
    // Neither analytics nor inventory reaches the domain.
    for (const role of ['ComputeAnalyticsRole', 'ComputeInventoryRole']) {
      t.false(JSON.stringify(roleStatements(template, role)).includes('es:'), role);
    }
  });

  test(`when ${environment} is synthesized, then the search indexer's role runs its own KCL lease tables exactly as analytics runs its own, reads the stream and publishes KCL metrics only`, async (t) => {
    const { template } = await cliSynth(environment);
    const analytics = roleStatements(template, 'ComputeAnalyticsRole');
    const indexer = roleStatements(template, 'ComputeSearchIndexerRole');
    const bySid = (statements: Statement[], sid: string) => statements.find((statement) => statement.Sid === sid);
    const analyticsLeases = bySid(analytics, 'KclLeases');
    const indexerLeases = bySid(indexer, 'KclLeases');
    t.deepEqual(actionsOf(indexerLeases), actionsOf(analyticsLeases));
    t.true(actionsOf(indexerLeases).includes('dynamodb:CreateTable'), 'the KCL creates its lease table');
    t.deepEqual(
      resourcesIn(indexerLeases).map((arn) => arn.replace(/.*:table\//, 'table/')),
      ['table/shop-search-indexer*'],
    );
    t.deepEqual(bySid(indexer, 'ReadEvents'), bySid(analytics, 'ReadEvents'));
    t.deepEqual(bySid(indexer, 'Metrics')?.Condition, {
      StringEquals: { 'cloudwatch:namespace': ['shop-search-indexer'] },
    });
    // No table items, no alerts: the indexer only reads the stream and writes the index.
    t.is(bySid(indexer, 'Table'), undefined);
    t.is(bySid(indexer, 'LowStockAlerts'), undefined);
  });

  test(`when ${environment} is synthesized, then the search indexer and catalog are configured for the domain, signed with SigV4`, async (t) => {
    const { template } = await cliSynth(environment);
    const [domainId] = domainOf(template);
    const endpoint = `https://<${domainId}.DomainEndpoint>`;
    const indexer = unitEnvironment(template, 'ComputeSearchIndexerLaunchTemplate');
    t.like(indexer, {
      KCL_APPLICATION_NAME: 'shop-search-indexer',
      SEARCH_ENDPOINT: endpoint,
      SEARCH_SIGNING: 'sigv4',
      SEARCH_INDEX: 'products',
      SEARCH_REPLICAS: environment === 'prod' ? '2' : '0',
      METRICS_PORT: '9104',
      AWS_REGION: 'us-east-1',
      STREAM_NAME: '<DataEventsB3DAF25C>',
    });
    t.regex(indexer.TABLE_NAME ?? '', /^<DataTable/);
    const [, launchTemplate] = only(template, 'AWS::EC2::LaunchTemplate', 'ComputeSearchIndexerLaunchTemplate');
    const script = flatten(
      (launchTemplate.Properties.LaunchTemplateData as { UserData: { 'Fn::Base64': unknown } }).UserData['Fn::Base64'],
    );
    t.true(script.includes(`--import tsx ${searchIndexer.entryPoint}`), 'the unit runs the search indexer');
    t.true(script.includes('install-kcl-jars.mjs'), 'with the KCL daemon');
    t.like(unitEnvironment(template, 'ComputeCatalogLaunchTemplate'), {
      SEARCH_ENDPOINT: endpoint,
      SEARCH_SIGNING: 'sigv4',
      SEARCH_INDEX: 'products',
    });
    t.is(
      unitEnvironment(template, 'ComputeCatalogLaunchTemplate').SEARCH_REPLICAS,
      undefined,
      'catalog makes no index',
    );
    t.is(unitEnvironment(template, 'ComputeInventoryLaunchTemplate').SEARCH_ENDPOINT, undefined);
  });

  test(`when ${environment} is synthesized, then the domain's slow, error and audit logs go to encrypted log groups it alone may write`, async (t) => {
    const { template } = await cliSynth(environment);
    const [, domain] = domainOf(template);
    const [keyId] = only(template, 'AWS::KMS::Key');
    const publishing = domain.Properties.LogPublishingOptions as Record<
      string,
      { Enabled: boolean; CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [string, string] } }
    >;
    t.deepEqual(Object.keys(publishing).sort(), [
      'AUDIT_LOGS',
      'ES_APPLICATION_LOGS',
      'INDEX_SLOW_LOGS',
      'SEARCH_SLOW_LOGS',
    ]);
    const groups = resourcesOf(template);
    for (const [kind, option] of Object.entries(publishing)) {
      t.true(option.Enabled, kind);
      const group = groups[option.CloudWatchLogsLogGroupArn['Fn::GetAtt'][0]];
      t.deepEqual(group?.Properties.KmsKeyId, { 'Fn::GetAtt': [keyId, 'Arn'] }, kind);
    }
    const [, logsPolicy] = only(template, 'AWS::Logs::ResourcePolicy');
    const document = JSON.parse(flatten(logsPolicy.Properties.PolicyDocument)) as { Statement: Statement[] };
    t.is(document.Statement.length, 1);
    t.deepEqual(document.Statement[0]?.Principal, { Service: 'es.amazonaws.com' });
    t.regex(JSON.stringify(document.Statement[0]?.Condition), new RegExp(`domain/shop-${environment}-search`));
  });
}

test('when prod is synthesized, then the domain is multi-AZ with standby: three zones, three data nodes and three dedicated masters', async (t) => {
  const [, domain] = domainOf((await cliSynth('prod')).template);
  t.deepEqual(domain.Properties.ClusterConfig, {
    DedicatedMasterCount: 3,
    DedicatedMasterEnabled: true,
    DedicatedMasterType: 'm7g.large.search',
    InstanceCount: 3,
    InstanceType: 'm7g.large.search',
    MultiAZWithStandbyEnabled: true,
    ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
    ZoneAwarenessEnabled: true,
  });
});

test('when dev is synthesized, then the domain is one small node without standby, and the indexer one instance', async (t) => {
  const { template } = await cliSynth('dev');
  const [, domain] = domainOf(template);
  t.deepEqual(domain.Properties.ClusterConfig, {
    DedicatedMasterEnabled: false,
    InstanceCount: 1,
    InstanceType: 't3.small.search',
    MultiAZWithStandbyEnabled: false,
    ZoneAwarenessEnabled: false,
  });
  const [, group] = only(template, 'AWS::AutoScaling::AutoScalingGroup', 'ComputeSearchIndexerGroup');
  t.like(group.Properties, { MinSize: '1', MaxSize: '2' });
});

/** Each search alarm by name: its metric, threshold and comparison. */
const searchAlarms = (environment: Environment) => ({
  [`shop-${environment}-search-cluster-red`]: {
    MetricName: 'ClusterStatus.red',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  },
  [`shop-${environment}-search-cluster-yellow`]: {
    MetricName: 'ClusterStatus.yellow',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  },
  [`shop-${environment}-search-free-storage`]: {
    MetricName: 'FreeStorageSpace',
    // A quarter of the node's volume in MiB.
    Threshold: environment === 'prod' ? 5120 : 2560,
    ComparisonOperator: 'LessThanOrEqualToThreshold',
  },
  [`shop-${environment}-search-jvm-pressure`]: {
    MetricName: 'JVMMemoryPressure',
    Threshold: 95,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  },
  [`shop-${environment}-search-snapshot-failure`]: {
    MetricName: 'AutomatedSnapshotFailure',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  },
  ...(environment === 'prod'
    ? {
        'shop-prod-search-master-jvm-pressure': {
          MetricName: 'MasterJVMMemoryPressure',
          Threshold: 95,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        },
      }
    : {}),
});

for (const environment of environments) {
  test(`when ${environment} is synthesized, then the domain's health and the indexing lag raise alarms to the ops topic, all on the dashboard`, async (t) => {
    const { template } = await cliSynth(environment);
    const resources = resourcesOf(template);
    const [domainId] = domainOf(template);
    const [topicId] = only(template, 'AWS::SNS::Topic', 'MonitoringOpsTopic');
    const alarms = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');
    const byName = (name: string) => alarms.find(([, alarm]) => alarm.Properties.AlarmName === name);
    const [, dashboard] = only(template, 'AWS::CloudWatch::Dashboard');
    const dashboardBody = flatten(dashboard.Properties.DashboardBody);

    const expected = searchAlarms(environment);
    const domainAlarms = alarms.filter(([, alarm]) => alarm.Properties.Namespace === 'AWS/ES');
    t.deepEqual(domainAlarms.map(([, alarm]) => alarm.Properties.AlarmName).sort(), Object.keys(expected).sort());
    for (const [name, properties] of Object.entries(expected)) {
      const [id, alarm] = byName(name) ?? [];
      if (!alarm || !id) return t.fail(`no alarm ${name}`);
      t.like(alarm.Properties, properties, name);
      t.deepEqual(
        (alarm.Properties.Dimensions as { Name: string; Value: unknown }[]).find(
          (dimension) => dimension.Name === 'DomainName',
        )?.Value,
        { Ref: domainId },
        name,
      );
      t.deepEqual(alarm.Properties.AlarmActions, [{ Ref: topicId }], name);
      t.true(dashboardBody.includes(`<${id}.Arn>`), `${name} is on the dashboard`);
    }

    const [lagId, lag] = byName(`shop-${environment}-search-indexing-lag`) ?? [];
    if (!lag || !lagId) return t.fail('no indexing lag alarm');
    const metrics = lag.Properties.Metrics as { Expression?: string; Period?: number }[];
    t.is(metrics.length, 1);
    t.is(metrics[0]?.Expression, indexingLagQuery);
    t.regex(indexingLagQuery, /MAX\(MillisBehindLatest\) FROM SCHEMA\("shop-search-indexer", Operation, ShardId\)/);
    t.like(lag.Properties, {
      Threshold: 60_000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'breaching',
    });
    t.deepEqual(lag.Properties.AlarmActions, [{ Ref: topicId }]);
    t.true(dashboardBody.includes(`<${lagId}.Arn>`), 'the lag alarm is on the dashboard');
    t.true(dashboardBody.includes('MillisBehindLatest'), 'and the lag is graphed');
  });
}
