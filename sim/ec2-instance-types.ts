import type { DescribeInstanceTypesCommandInput, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { OperationTable } from './account';
import { simError } from './errors';
import { EC2_DESCRIBE_INSTANCE_TYPES_MAX_RESULTS, EC2_DESCRIBE_INSTANCE_TYPES_NAMES_MAX, validationText } from './limits';
import { page } from './util';

/**
 * The instance types the simulator knows, vCPUs and memory as EC2 publishes them
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html, mo.html, co.html: "Instance
 * type / vCPUs / Memory (GiB)"): m5.large 2 / 8, m5.xlarge 4 / 16, m5.2xlarge 8 / 32,
 * m5.4xlarge 16 / 64, c5.large 2 / 4, r5.large 2 / 16, r5.2xlarge 8 / 64.
 */
const CATALOGUE: Record<string, { vcpus: number; memoryMiB: number }> = {
  'm5.large': { vcpus: 2, memoryMiB: 8192 },
  'm5.xlarge': { vcpus: 4, memoryMiB: 16_384 },
  'm5.2xlarge': { vcpus: 8, memoryMiB: 32_768 },
  'm5.4xlarge': { vcpus: 16, memoryMiB: 65_536 },
  'c5.large': { vcpus: 2, memoryMiB: 4096 },
  'r5.large': { vcpus: 2, memoryMiB: 16_384 },
  'r5.2xlarge': { vcpus: 8, memoryMiB: 65_536 },
};

/** DescribeInstanceTypes over the catalogue above (InstanceTypes, MaxResults, NextToken; no Filters). */
export function instanceTypeOperations(): OperationTable {
  return {
    DescribeInstanceTypes: (input: DescribeInstanceTypesCommandInput) => {
      const names = (input.InstanceTypes ?? []) as string[];
      if (names.length > EC2_DESCRIBE_INSTANCE_TYPES_NAMES_MAX) {
        throw simError(
          'InvalidParameterValue',
          validationText.tooLong('instanceTypes', EC2_DESCRIBE_INSTANCE_TYPES_NAMES_MAX, names.length),
        );
      }
      const { min, max } = EC2_DESCRIBE_INSTANCE_TYPES_MAX_RESULTS;
      if (input.MaxResults !== undefined && (input.MaxResults < min || input.MaxResults > max)) {
        throw simError(
          'InvalidParameterValue',
          `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
        );
      }
      if ((input.Filters ?? []).length > 0) throw simError('InvalidParameterValue', 'the simulated account does not model Filters here');
      // As AWS answers (observed, scylladb/scylla-cluster-tests#12419): InvalidInstanceType
      // "The following supplied instance types do not exist: [i8ge.xlarge]".
      const unknown = names.filter((n) => !(n in CATALOGUE));
      if (unknown.length > 0) {
        throw simError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
      }
      const wanted = names.length > 0 ? [...new Set(names)] : Object.keys(CATALOGUE);
      const { items, nextToken } = page(wanted, input.NextToken, input.MaxResults ?? max, () =>
        simError('InvalidParameterValue', 'The specified NextToken is not valid.'),
      );
      return { InstanceTypes: items.map(toInfo), NextToken: nextToken };
    },
  };
}

function toInfo(name: string): InstanceTypeInfo {
  const t = CATALOGUE[name]!;
  return {
    InstanceType: name as InstanceTypeInfo['InstanceType'],
    CurrentGeneration: true,
    SupportedUsageClasses: ['on-demand', 'spot'],
    VCpuInfo: { DefaultVCpus: t.vcpus, DefaultCores: t.vcpus / 2, DefaultThreadsPerCore: 2 },
    MemoryInfo: { SizeInMiB: t.memoryMiB },
  };
}
