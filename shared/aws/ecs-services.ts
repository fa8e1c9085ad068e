import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { sendOptions, type CallOptions, type ItemFailure } from './call';
import { chunk, DESCRIBE_SERVICES_MAX } from './limits';

/** ECS services: describe. */
export class ServicesAdapter {
  constructor(private readonly ecs: ECSClient) {}

  /** Describe services in chunks of 10 (each name once), in parallel; per-item failures come back. */
  async describe(cluster: string, names: readonly string[], o?: CallOptions): Promise<{ services: Service[]; failures: ItemFailure[] }> {
    const parts = await Promise.all(
      chunk([...new Set(names)], DESCRIBE_SERVICES_MAX).map((part) =>
        this.ecs.send(new DescribeServicesCommand({ cluster, services: part }), sendOptions(o)),
      ),
    );
    return {
      services: parts.flatMap((p) => p.services ?? []),
      failures: parts.flatMap((p) => (p.failures ?? []).map((f) => ({ arn: f.arn ?? '?', reason: f.reason ?? 'unknown' }))),
    };
  }
}
