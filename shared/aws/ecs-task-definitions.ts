import { DescribeTaskDefinitionCommand, paginateListTaskDefinitionFamilies, type ECSClient } from '@aws-sdk/client-ecs';
import { awsErrorName } from './errors';
import { ECS_LIST_PAGE_MAX } from './limits';
import { mapLimit } from '../lambda/concurrency';

export interface ContainerLogging {
  name: string;
  logDriver?: string;
  options: Record<string, string>;
}

export interface LatestTaskDefinition {
  family: string;
  revision: number;
  taskDefinitionArn: string;
  containers: ContainerLogging[];
}

export interface DiscoveryResult {
  taskDefinitions: LatestTaskDefinition[];
  /** Families that could not be described: reported, never silently dropped. */
  failed: Array<{ family: string; reason: string }>;
  /** Families listed as ACTIVE that had no active revision when described (deregistered meanwhile). */
  vanished: string[];
}

/**
 * Task definitions as log discovery needs them: each ACTIVE family's latest revision and its
 * containers' log configuration. DescribeTaskDefinition takes one family per call, so
 * hundreds of families mean hundreds of calls: run `concurrency` at a time and let the SDK's
 * adaptive retry absorb ECS throttling.
 */
export class TaskDefinitionsAdapter {
  constructor(private readonly ecs: ECSClient) {}

  async listActiveFamilies(): Promise<string[]> {
    const families: string[] = [];
    const pages = paginateListTaskDefinitionFamilies({ client: this.ecs, pageSize: ECS_LIST_PAGE_MAX }, { status: 'ACTIVE' });
    for await (const page of pages) families.push(...(page.families ?? []));
    return families;
  }

  /** DescribeTaskDefinition with a bare family answers its latest ACTIVE revision. */
  async describeLatest(family: string): Promise<LatestTaskDefinition> {
    const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
    const td = out.taskDefinition;
    return {
      family: td?.family ?? family,
      revision: td?.revision ?? 0,
      taskDefinitionArn: td?.taskDefinitionArn ?? '',
      containers: (td?.containerDefinitions ?? []).map((c) => ({
        name: c.name ?? '',
        ...(c.logConfiguration?.logDriver ? { logDriver: c.logConfiguration.logDriver } : {}),
        options: c.logConfiguration?.options ?? {},
      })),
    };
  }

  async discover(concurrency: number): Promise<DiscoveryResult> {
    const families = await this.listActiveFamilies();
    const result: DiscoveryResult = { taskDefinitions: [], failed: [], vanished: [] };
    await mapLimit(families, concurrency, async (family) => {
      try {
        result.taskDefinitions.push(await this.describeLatest(family));
      } catch (err) {
        // ECS answers ClientException "Unable to describe task definition" for a family
        // deregistered since the listing. Either way one family must not stop the others;
        // it is reported, and its table (if any) is still kept.
        if (awsErrorName(err) === 'ClientException') result.vanished.push(family);
        else result.failed.push({ family, reason: `${awsErrorName(err) ?? 'Error'}: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
    result.taskDefinitions.sort((a, b) => a.family.localeCompare(b.family));
    return result;
  }
}
