import type {
  ContainerDefinition,
  DeregisterTaskDefinitionCommandInput,
  DescribeTaskDefinitionCommandInput,
  ListTaskDefinitionFamiliesCommandInput,
  ListTaskDefinitionsCommandInput,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { OperationTable, SimulatedAccount } from './account';
import { clientException, ecsPage, invalidParameter } from './ecs-common';

interface TaskDefinitionRecord {
  definition: TaskDefinition;
  tags: Tag[];
}

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;
const NETWORK_MODES = new Set(['bridge', 'host', 'awsvpc', 'none']);

/** ECS task definitions: families, revisions (never reused), ACTIVE/INACTIVE. */
export class TaskDefinitionStore {
  private readonly families = new Map<string, { next: number; revisions: Map<number, TaskDefinitionRecord> }>();

  constructor(private readonly account: SimulatedAccount) {}

  operations(): OperationTable {
    return {
      RegisterTaskDefinition: (input: RegisterTaskDefinitionCommandInput) => {
        const definition = this.register(input);
        return { taskDefinition: definition, tags: input.tags ?? [] };
      },
      DescribeTaskDefinition: (input: DescribeTaskDefinitionCommandInput) => {
        const record = this.lookup(input.taskDefinition ?? '');
        if (!record) throw clientException('Unable to describe task definition.');
        return { taskDefinition: record.definition, ...(input.include?.includes('TAGS') ? { tags: record.tags } : {}) };
      },
      ListTaskDefinitionFamilies: (input: ListTaskDefinitionFamiliesCommandInput) => {
        const status = input.status ?? 'ALL';
        const names = [...this.families.keys()]
          .filter((f) => !input.familyPrefix || f.startsWith(input.familyPrefix))
          .filter((f) => {
            const active = [...this.families.get(f)!.revisions.values()].some((r) => r.definition.status === 'ACTIVE');
            return status === 'ALL' || (status === 'ACTIVE' ? active : !active);
          })
          .sort();
        const { items, nextToken } = ecsPage(names, input);
        return { families: items, nextToken };
      },
      ListTaskDefinitions: (input: ListTaskDefinitionsCommandInput) => {
        const status = input.status ?? 'ACTIVE';
        const all = [...this.families.entries()]
          .filter(([f]) => !input.familyPrefix || f === input.familyPrefix)
          .flatMap(([, fam]) => [...fam.revisions.values()].map((r) => r.definition))
          .filter((d) => d.status === status)
          .sort((a, b) => (a.family! < b.family! ? -1 : a.family! > b.family! ? 1 : a.revision! - b.revision!))
          .map((d) => d.taskDefinitionArn!);
        if (input.sort === 'DESC') all.reverse();
        const { items, nextToken } = ecsPage(all, input);
        return { taskDefinitionArns: items, nextToken };
      },
      DeregisterTaskDefinition: (input: DeregisterTaskDefinitionCommandInput) => {
        const ref = input.taskDefinition ?? '';
        if (!/:\d+$/.test(ref)) throw clientException('Revision must be specified when deregistering a task definition.');
        const record = this.lookup(ref);
        if (!record) throw clientException('The specified task definition does not exist.');
        if (record.definition.status === 'ACTIVE') {
          record.definition.status = 'INACTIVE';
          record.definition.deregisteredAt = new Date(this.account.clock.now());
        }
        return { taskDefinition: record.definition };
      },
    };
  }

  /** RegisterTaskDefinition: validates like ECS and answers the new revision. */
  register(input: RegisterTaskDefinitionCommandInput): TaskDefinition {
    const family = input.family ?? '';
    if (!FAMILY.test(family)) {
      throw clientException(
        'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
      );
    }
    const networkMode = input.networkMode ?? 'bridge';
    if (!NETWORK_MODES.has(networkMode)) throw invalidParameter(`Invalid networkMode '${networkMode}'.`);
    const containers = input.containerDefinitions ?? [];
    if (containers.length === 0) throw clientException('Container list cannot be empty.');
    const normalised = containers.map((c) => normaliseContainer(c, networkMode, input.memory));
    let fam = this.families.get(family);
    if (!fam) {
      fam = { next: 1, revisions: new Map() };
      this.families.set(family, fam);
    }
    const revision = fam.next++;
    const definition: TaskDefinition = {
      taskDefinitionArn: this.account.arn('ecs', `task-definition/${family}:${revision}`),
      family,
      revision,
      containerDefinitions: normalised,
      networkMode,
      status: 'ACTIVE',
      volumes: input.volumes ?? [],
      placementConstraints: input.placementConstraints ?? [],
      compatibilities: ['EC2'],
      requiresCompatibilities: input.requiresCompatibilities ?? [],
      registeredAt: new Date(this.account.clock.now()),
      registeredBy: `arn:aws:iam::${this.account.accountId}:root`,
      ...(input.cpu !== undefined ? { cpu: input.cpu } : {}),
      ...(input.memory !== undefined ? { memory: input.memory } : {}),
      ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
      ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
    };
    fam.revisions.set(revision, { definition, tags: input.tags ?? [] });
    return structuredClone(definition);
  }

  /** `family` (latest ACTIVE revision), `family:revision` or the full ARN; undefined when unknown. */
  lookup(ref: string): { definition: TaskDefinition; tags: Tag[] } | undefined {
    const short = ref.startsWith('arn:') ? ref.slice(ref.indexOf('task-definition/') + 'task-definition/'.length) : ref;
    const [family, rev] = short.split(':');
    const fam = this.families.get(family ?? '');
    if (!fam) return undefined;
    if (rev === undefined) {
      const active = [...fam.revisions.values()].filter((r) => r.definition.status === 'ACTIVE');
      return active[active.length - 1];
    }
    return fam.revisions.get(Number(rev));
  }

  /** Like `lookup`, but throws ECS's error; used when starting tasks and creating services. */
  resolve(ref: string): TaskDefinition {
    const record = this.lookup(ref);
    if (!record) throw clientException(`TaskDefinition not found: ${ref}`);
    return record.definition;
  }
}

/** The task's reservation on an EC2 instance: task-level size, else the sum of its containers'. */
export function taskSize(def: TaskDefinition): { cpu: number; memory: number } {
  const containers = def.containerDefinitions ?? [];
  const cpu = def.cpu !== undefined ? Number(def.cpu) : containers.reduce((s, c) => s + (c.cpu ?? 0), 0);
  const memory = def.memory !== undefined ? Number(def.memory) : containers.reduce((s, c) => s + (c.memoryReservation ?? c.memory ?? 0), 0);
  return { cpu, memory };
}

/**
 * Host ports a task of this definition holds fixed on its instance: bridge mode's non-zero
 * hostPort, host mode's containerPort (awsvpc and none hold none). The PortMapping reference
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html) reserves that
 * port on the container instance, so a second task needing it cannot go there: the scheduler's
 * service event says the closest instance "is already using a port required by your task"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
 */
export function fixedHostPorts(def: TaskDefinition): number[] {
  const mode = def.networkMode ?? 'bridge';
  if (mode !== 'bridge' && mode !== 'host') return [];
  return (def.containerDefinitions ?? []).flatMap((c) => (c.portMappings ?? []).map((p) => p.hostPort ?? 0)).filter((p) => p > 0);
}

function normaliseContainer(c: ContainerDefinition, networkMode: string, taskMemory: string | undefined): ContainerDefinition {
  if (c.memory === undefined && c.memoryReservation === undefined && taskMemory === undefined) {
    throw clientException(`Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
  }
  const portMappings = (c.portMappings ?? []).map((p) => {
    if (networkMode === 'awsvpc' && p.hostPort !== undefined && p.hostPort !== p.containerPort) {
      throw clientException('When networkMode=awsvpc, the host ports and container ports in port mappings must match.');
    }
    const hostPort = networkMode === 'bridge' ? (p.hostPort ?? 0) : p.containerPort;
    return { ...p, hostPort, protocol: p.protocol ?? 'tcp' };
  });
  return { essential: true, ...c, portMappings };
}
