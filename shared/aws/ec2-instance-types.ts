import { paginateDescribeInstanceTypes, type EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';
import { collect, sendOptions, type CallOptions } from './call';
import { awsErrorName } from './errors';
import { chunk, DESCRIBE_INSTANCE_TYPES_MAX } from './limits';

/** What EC2 says an instance type has. */
export interface InstanceTypeSize {
  vcpus: number;
  memoryMiB: number;
}

/**
 * EC2 DescribeInstanceTypes: vCPUs and memory per type, cached for the adapter's life (instance
 * types do not change size). A type EC2 does not have is left out of the answer: EC2 refuses the
 * whole call (InvalidInstanceType "The following supplied instance types do not exist: [x, y]"),
 * so the call is made again without the types it named.
 */
export class InstanceTypesAdapter {
  private readonly cache = new Map<string, InstanceTypeSize>();

  constructor(private readonly ec2: EC2Client) {}

  async sizes(types: readonly string[], o?: CallOptions): Promise<Map<string, InstanceTypeSize>> {
    const missing = [...new Set(types)].filter((t) => !this.cache.has(t));
    await Promise.all(chunk(missing, DESCRIBE_INSTANCE_TYPES_MAX).map((part) => this.fetch(part, o)));
    return new Map(types.filter((t) => this.cache.has(t)).map((t) => [t, this.cache.get(t)!]));
  }

  private async fetch(types: string[], o?: CallOptions): Promise<void> {
    if (types.length === 0) return;
    try {
      const infos = await collect(
        paginateDescribeInstanceTypes({ client: this.ec2 }, { InstanceTypes: types as _InstanceType[] }, sendOptions(o)),
        (page) => page.InstanceTypes,
      );
      for (const i of infos) {
        if (!i.InstanceType || !i.VCpuInfo?.DefaultVCpus || !i.MemoryInfo?.SizeInMiB) continue;
        this.cache.set(i.InstanceType, { vcpus: i.VCpuInfo.DefaultVCpus, memoryMiB: i.MemoryInfo.SizeInMiB });
      }
    } catch (err) {
      const unknown = unknownTypes(err);
      const rest = types.filter((t) => !unknown.includes(t));
      if (unknown.length === 0 || rest.length === types.length) throw err;
      await this.fetch(rest, o);
    }
  }
}

/** The types named in InvalidInstanceType's message ("… do not exist: [a, b]"); none when it is another error. */
function unknownTypes(err: unknown): string[] {
  if (awsErrorName(err) !== 'InvalidInstanceType') return [];
  const list = /\[([^\]]*)\]/.exec((err as Error).message ?? '')?.[1];
  return list ? list.split(',').map((s) => s.trim()) : [];
}
