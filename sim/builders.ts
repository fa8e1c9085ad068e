/**
 * Ready-made simulated clusters: `web` on Spot (sim/builders-spot.ts), the benchmark's `large`
 * (sim/builders-large.ts) and `web-od` in an Auto Scaling group (sim/builders-asg.ts).
 */
export { M5_4XLARGE, M5_LARGE, type BuiltInstance } from './builders-common';
export { buildSpotCluster, type SpotClusterOptions } from './builders-spot';
export { buildLargeCluster, type LargeClusterOptions } from './builders-large';
export { buildAsgCluster, type AsgClusterOptions } from './builders-asg';
