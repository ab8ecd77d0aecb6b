import { aws_ec2 as ec2 } from 'aws-cdk-lib';

/** How one component of the platform is installed and run on its instances. */
export interface ComponentBoot {
  /** Names the systemd unit (`shop-<name>`), the log file and the Prometheus job. */
  name: string;
  region: string;
  /** The app bundle: a zip of the repository, as a CDK asset. */
  bundle: { bucketName: string; objectKey: string };
  /** The entry point, relative to the repository root; run as `node --import tsx <entryPoint>`. */
  entryPoint: string;
  /**
   * The exact Node.js version the bundle's lockfile installs into `node_modules/.bin/node` (the
   * root package.json's pin, `bundledNode`); boot fails when the binary there reports another.
   */
  nodeVersion: string;
  environment: Record<string, string>;
  /** Port of the process's Prometheus `GET /metrics` on 127.0.0.1. */
  metricsPort: number;
  /** Regular expressions of the Prometheus metric names the CloudWatch agent turns into metrics. */
  metricSelectors: string[];
  /** CloudWatch namespace of those metrics. */
  metricNamespace: string;
  /** Log group of the process's output (pino JSON lines). */
  logGroupName: string;
  /** Log group the agent writes the scraped metrics to, as embedded metric format. */
  metricsLogGroupName: string;
  /** URL on the instance that answers 2xx once the component works; boot fails without it. */
  readinessUrl: string;
  /** Installs Java 17 and Maven, and resolves the KCL MultiLangDaemon's jars. */
  kclDaemon?: boolean;
}

const appDir = '/opt/shop/app';
/** The Node.js the tests ran, installed from the lockfile by `npm ci`; everything on the instance runs on it. */
const bundledNodeBinary = `${appDir}/node_modules/.bin/node`;
const agentDir = '/opt/aws/amazon-cloudwatch-agent';
/** The systemd stop timeout: the services' drain (SHUTDOWN_TIMEOUT_MS, 30 s) plus a margin. */
export const stopTimeoutSeconds = 35;

/**
 * The boot script of a component's instances on Amazon Linux 2023: the CloudWatch agent
 * (Prometheus scrape of `/metrics`, the process's log, X-Ray listener on 127.0.0.1:2000), the app
 * bundle with its production dependencies, and the component as a systemd unit. The component
 * runs on the Node.js binary the bundle's lockfile pins (`node_modules/.bin/node`, the one the
 * tests ran); AL2023's Node.js 24 is there only to run `npm ci`. It ends when the component
 * answers `readinessUrl`, so a signal sent on exit means "in service".
 */
export function componentUserData(boot: ComponentBoot): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  const unit = `shop-${boot.name}`;
  const logFile = `/var/log/shop/${boot.name}.log`;
  const packages = ['nodejs24', 'nodejs24-npm', 'amazon-cloudwatch-agent', 'aws-cfn-bootstrap', 'unzip', 'logrotate'];
  if (boot.kclDaemon) packages.push('java-17-amazon-corretto-headless', 'maven');

  userData.addCommands(
    'set -euo pipefail',
    // cloud-init runs this without HOME; npm and Maven keep their caches there.
    'export HOME=/root NPM_CONFIG_UPDATE_NOTIFIER=false',
    `dnf install -y -q ${packages.join(' ')}`,
    'id shop >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /opt/shop --shell /sbin/nologin shop',
    `mkdir -p ${appDir} /var/log/shop`,
    `aws s3 cp --only-show-errors --region ${boot.region} s3://${boot.bundle.bucketName}/${boot.bundle.objectKey} /opt/shop/bundle.zip`,
    `unzip -q -o /opt/shop/bundle.zip -d ${appDir}`,
    'rm /opt/shop/bundle.zip',
    // Install scripts are skipped: the root postinstall sets up the local stack (moto, jars).
    // Optional dependencies stay in: the pinned Node.js binary is one. AL2023 names its npm `npm-24`.
    `cd ${appDir} && npm-24 ci --omit=dev --ignore-scripts --no-audit --no-fund`,
    `test "$(${bundledNodeBinary} --version)" = "v${boot.nodeVersion}" || { echo "${bundledNodeBinary} is not Node.js v${boot.nodeVersion}" >&2; exit 1; }`,
  );
  if (boot.kclDaemon) {
    userData.addCommands(`cd ${appDir} && ${bundledNodeBinary} services/analytics/scripts/install-kcl-jars.mjs`);
  }

  userData.addCommands(
    ...writeFile(`${agentDir}/etc/prometheus.yaml`, prometheusConfig(boot)),
    ...writeFile(`${agentDir}/etc/shop-agent.json`, JSON.stringify(agentConfig(boot, logFile), null, 2)),
    `${agentDir}/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${agentDir}/etc/shop-agent.json`,
    ...writeFile('/etc/logrotate.d/shop', logrotateConfig()),
    ...writeFile(`/etc/systemd/system/${unit}.service`, systemdUnit(boot, logFile)),
    'systemctl daemon-reload',
    `systemctl enable --now ${unit}`,
    // Wait up to five minutes for the component to answer; a failure fails the boot (and its signal).
    'ready=0',
    `for attempt in $(seq 1 60); do if curl -fsS -o /dev/null ${boot.readinessUrl}; then ready=1; break; fi; sleep 5; done`,
    `test "$ready" = 1 || { journalctl -u ${unit} --no-pager | tail -n 50; tail -n 50 ${logFile}; exit 1; }`,
  );
  return userData;
}

function writeFile(path: string, content: string): string[] {
  return [`cat > ${path} <<'SHOP_EOF'`, content, 'SHOP_EOF'];
}

function systemdUnit(boot: ComponentBoot, logFile: string): string {
  const environment = Object.entries({ NODE_ENV: 'production', ...boot.environment }).map(
    ([name, value]) => `Environment="${name}=${value}"`,
  );
  return [
    '[Unit]',
    `Description=shop-platform ${boot.name}`,
    'Wants=network-online.target',
    'After=network-online.target amazon-cloudwatch-agent.service',
    '',
    '[Service]',
    'Type=simple',
    'User=shop',
    'Group=shop',
    `WorkingDirectory=${appDir}`,
    ...environment,
    `ExecStart=${bundledNodeBinary} --import tsx ${boot.entryPoint}`,
    'Restart=always',
    'RestartSec=2',
    // SIGTERM to the main process only: the analytics worker forwards it to the KCL daemon, which
    // lets every record processor publish and checkpoint; the rest are killed at the timeout.
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `TimeoutStopSec=${stopTimeoutSeconds}`,
    `StandardOutput=append:${logFile}`,
    'StandardError=inherit',
    'NoNewPrivileges=true',
    'PrivateTmp=true',
    'ProtectSystem=full',
    'ProtectHome=true',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n');
}

function prometheusConfig(boot: ComponentBoot): string {
  return [
    'global:',
    '  scrape_interval: 1m',
    '  scrape_timeout: 10s',
    'scrape_configs:',
    `  - job_name: ${boot.name}`,
    '    static_configs:',
    `      - targets: ['127.0.0.1:${boot.metricsPort}']`,
  ].join('\n');
}

/** The CloudWatch agent: the process's log file, `/metrics` as embedded metric format, X-Ray. */
function agentConfig(boot: ComponentBoot, logFile: string) {
  return {
    agent: { region: boot.region },
    logs: {
      logs_collected: {
        files: {
          collect_list: [{ file_path: logFile, log_group_name: boot.logGroupName, log_stream_name: '{instance_id}' }],
        },
      },
      metrics_collected: {
        prometheus: {
          log_group_name: boot.metricsLogGroupName,
          prometheus_config_path: `${agentDir}/etc/prometheus.yaml`,
          emf_processor: {
            metric_namespace: boot.metricNamespace,
            metric_declaration: [
              {
                source_labels: ['job'],
                label_matcher: `^${boot.name}$`,
                dimensions: [['job']],
                metric_selectors: boot.metricSelectors,
              },
            ],
          },
        },
      },
      force_flush_interval: 15,
    },
    traces: {
      traces_collected: {
        xray: { bind_address: '127.0.0.1:2000', tcp_proxy: { bind_address: '127.0.0.1:2000' } },
      },
    },
  };
}

function logrotateConfig(): string {
  // copytruncate: systemd keeps the file open (StandardOutput=append).
  return ['/var/log/shop/*.log {', '  daily', '  rotate 3', '  compress', '  missingok', '  copytruncate', '}'].join(
    '\n',
  );
}
