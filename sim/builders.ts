/**
 * Ready-made simulated clusters: `web` on Spot (sim/builders-spot.ts), the benchmark's `large`
 * (sim/builders-large.ts), `web-od` in an Auto Scaling group (sim/builders-asg.ts) and clusters
 * whose capacity comes from a tagged ASG, EC2 Fleet or Spot Fleet (sim/builders-capacity.ts).
 */
export { M5_4XLARGE, M5_LARGE, M5_XLARGE, type BuiltInstance } from './builders-common';
export { buildSpotCluster, type SpotClusterOptions } from './builders-spot';
export { buildLargeCluster, type LargeClusterOptions } from './builders-large';
export { buildAsgCluster, type AsgClusterOptions } from './builders-asg';
export { buildCapacityCluster, CLUSTER_TAG, type CapacityBackendKind, type CapacityClusterOptions } from './builders-capacity';
