import type {
  DescribeClustersCommandInput,
  ListClustersCommandInput,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { clusterNotFound, ecsPage } from './ecs-common';
import { TaskDefinitionStore } from './ecs-task-definitions';
import { shortName } from './util';

interface ClusterRecord {
  name: string;
  arn: string;
}

/**
 * ECS on EC2: clusters, container instances, task definitions, tasks and services, with a
 * simplified service scheduler. Tasks and services live in their own modules; this class
 * holds the clusters and wires the operation table.
 */
export class SimEcs implements SimService {
  readonly taskDefinitions: TaskDefinitionStore;
  private readonly clusters = new Map<string, ClusterRecord>();

  constructor(readonly account: SimulatedAccount) {
    this.taskDefinitions = new TaskDefinitionStore(account);
  }

  operations(): OperationTable {
    return {
      ...this.taskDefinitions.operations(),
      ListClusters: (input: ListClustersCommandInput) => {
        const { items, nextToken } = ecsPage([...this.clusters.values()].map((c) => c.arn), input);
        return { clusterArns: items, nextToken };
      },
      DescribeClusters: (input: DescribeClustersCommandInput) => {
        const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ['default'];
        const clusters = [];
        const failures = [];
        for (const ref of refs) {
          const c = this.clusters.get(shortName(ref));
          if (c) clusters.push({ clusterArn: c.arn, clusterName: c.name, status: 'ACTIVE' });
          else failures.push({ arn: ref.startsWith('arn:') ? ref : this.account.arn('ecs', `cluster/${ref}`), reason: 'MISSING' });
        }
        return { clusters, failures };
      },
    };
  }

  // ---- seeding and observing --------------------------------------------------------

  /** Create a cluster (idempotent, like CreateCluster); answers its ARN. */
  createCluster(name: string): string {
    let c = this.clusters.get(name);
    if (!c) {
      c = { name, arn: this.account.arn('ecs', `cluster/${name}`) };
      this.clusters.set(name, c);
    }
    return c.arn;
  }

  /** Same input as RegisterTaskDefinition; answers the registered revision. */
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): TaskDefinition {
    return this.taskDefinitions.register(input);
  }

  /** The cluster named (or ARN'd) by `ref` — `default` when absent — or ClusterNotFoundException. */
  cluster(ref: string | undefined): ClusterRecord {
    const c = this.clusters.get(shortName(ref ?? 'default'));
    if (!c) throw clusterNotFound();
    return c;
  }
}
