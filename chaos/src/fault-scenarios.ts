import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcess, SupervisedChild } from '@shop/local-stack';
import { killProcessGroup } from './chaos-stack.js';
import { ReadinessBalancer } from './readiness-balancer.js';
import type { FaultInjection, FaultScenario } from './scenario-runner.js';

/** Runs `fault`, timing it: from its first action to the moment the platform was whole again. */
async function timed(fault: (problems: string[]) => Promise<void>): Promise<FaultInjection> {
  const problems: string[] = [];
  const startedAt = Date.now();
  await fault(problems);
  return { startedAt, liftedAt: Date.now(), problems };
}

function killService(name: 'catalog' | 'inventory'): FaultScenario {
  return {
    name: `kill-9-${name}`,
    errorsAllowed: true,
    async prepare(stack) {
      const service = stack[name];
      return {
        inject: () =>
          timed(async () => {
            killProcessGroup(service.child);
            await service.restart();
          }),
      };
    },
  };
}

/** SIGTERM, as a scale-in or Spot interruption sends it; the drain must end with exit code 0. */
async function terminate(child: SupervisedChild, what: string, problems: string[]): Promise<void> {
  child.process.kill('SIGTERM');
  const exit = await child.exited;
  if (exit.code !== 0) problems.push(`${what} exited with ${exit.code ?? exit.signal} after SIGTERM`);
}

export const scenarios: FaultScenario[] = [
  killService('catalog'),
  killService('inventory'),
  {
    name: 'sigterm-inventory',
    errorsAllowed: false,
    async prepare(stack) {
      // Two instances behind a balancer that, like the ALB, sends only to instances whose /readyz
      // passes (graceful-shutdown.test.ts proves the single-instance drain the same way). Each is
      // terminated in turn, the first replaced before the second goes.
      const second: ServiceProcess = await stack.startInstance('inventory');
      const balancer = new ReadinessBalancer([stack.inventory.url, second.url]);
      await balancer.allReady();
      return {
        baseUrl: (service) => (service === 'inventory' ? balancer.pick() : stack.gatewayUrl),
        inject: () =>
          timed(async (problems) => {
            await terminate(stack.inventory.child, 'inventory instance 1', problems);
            await stack.inventory.restart();
            await balancer.allReady();
            await terminate(second.child, 'inventory instance 2', problems);
          }),
        async cleanup() {
          await balancer.stop();
          await second.stop();
        },
      };
    },
  },
  {
    name: 'kill-9-analytics-worker',
    errorsAllowed: false,
    async prepare(stack, timing) {
      return {
        // Worker 2 of 2 dies with its KCL daemon and record processors; worker 1 takes its shards
        // over once the leases expire, and the restarted worker takes some back.
        inject: () =>
          timed(async () => {
            killProcessGroup(stack.worker(1));
            await sleep(timing.workerDownMs);
            await stack.restartWorker(1);
          }),
      };
    },
  },
  {
    name: 'kill-9-dynalite',
    errorsAllowed: true,
    async prepare(stack) {
      return {
        inject: () =>
          timed(async () => {
            killProcessGroup(stack.standIns.processes.dynamodb);
            await stack.standIns.restart('dynamodb');
          }),
      };
    },
  },
  {
    name: 'kinesis-unreachable',
    errorsAllowed: true,
    async prepare(stack, timing) {
      return {
        inject: () =>
          timed(async () => {
            await stack.kinesisGate.close();
            await sleep(timing.kinesisOutageMs);
            await stack.kinesisGate.open();
          }),
      };
    },
  },
  {
    name: 'dynalite-paused',
    errorsAllowed: true,
    async prepare(stack, timing) {
      return {
        inject: () =>
          timed(async () => {
            const dynalite = stack.standIns.processes.dynamodb;
            killProcessGroup(dynalite, 'SIGSTOP');
            await sleep(timing.dynamoDbPauseMs);
            killProcessGroup(dynalite, 'SIGCONT');
          }),
      };
    },
  },
  {
    name: 'kill-9-search-node',
    // Nothing but search depends on the engine: not one request of the workload may fail.
    errorsAllowed: false,
    async prepare(stack, timing) {
      return {
        inject: () =>
          timed(async (problems) => {
            stack.killStandIn('search');
            // While it is gone, search answers 503 with Retry-After within its timeout.
            await sleep(1_000);
            const asked = Date.now();
            const answer = await fetch(`${stack.gatewayUrl}/api/products/search?q=chaos`);
            const tookMs = Date.now() - asked;
            if (answer.status !== 503 || !answer.headers.get('retry-after') || tookMs > 5_000) {
              problems.push(
                `search with the node down answered ${answer.status} in ${tookMs} ms (503 with Retry-After expected)`,
              );
            }
            await sleep(timing.workerDownMs);
            await stack.standIns.restart('search');
          }),
      };
    },
  },
  {
    name: 'kill-9-kinesis',
    errorsAllowed: true,
    async prepare(stack) {
      return {
        // Killed while the services write through it: Kinesis keeps every record it acknowledged,
        // and so must the stand-in (kinesalite's LevelDB log).
        inject: () =>
          timed(async () => {
            killProcessGroup(stack.standIns.processes.kinesis);
            await stack.standIns.restart('kinesis');
          }),
      };
    },
  },
];
