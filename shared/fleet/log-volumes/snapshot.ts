import type { CallOptions } from '../../aws/call';
import type { LogVolumesConfig } from './config';
import type { VolumesPort, VolumeView } from './ports';

/**
 * The volumes the plan looks at: `available` ones carrying our ownership tag (with one of the
 * configured values, when CLUSTERS is set). In-use volumes and volumes without our tag are never
 * read, so they cannot be acted on; the planner checks both again all the same.
 */
export function readLogVolumes(port: VolumesPort, config: LogVolumesConfig, o?: CallOptions): Promise<VolumeView[]> {
  return port.listTagged(config.ownerTag, config.owners, ['available'], o);
}
