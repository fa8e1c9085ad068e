/**
 * The per-cluster numeric settings of scaleTick (and the event-driven scale-outs): each one's
 * environment variable, its backend tag (after `ecs-steady:`), its bounds and how it is read.
 * config.ts builds the env schema (and so docs/configuration.md) and the tag overrides from it.
 */
/** Each setting: its environment variable, its backend tag (after `ecs-steady:`), and how it is read. */
export const FIELDS = [
  {
    key: 'scaleOutCpuPercent',
    env: 'SCALE_OUT_CPU_PERCENT',
    tag: 'scale-out-cpu-percent',
    min: 1,
    max: 100,
    description: 'Scale out when CPU reservation is above this (%).',
  },
  {
    key: 'scaleOutMemoryPercent',
    env: 'SCALE_OUT_MEMORY_PERCENT',
    tag: 'scale-out-memory-percent',
    min: 1,
    max: 100,
    description: 'Scale out when memory reservation is above this (%).',
  },
  {
    key: 'scaleInCpuPercent',
    env: 'SCALE_IN_CPU_PERCENT',
    tag: 'scale-in-cpu-percent',
    min: 0,
    max: 99,
    description: 'Scale in when CPU reservation is below this (%; below the scale-out one); above it only a consolidation scales in.',
  },
  {
    key: 'scaleInMemoryPercent',
    env: 'SCALE_IN_MEMORY_PERCENT',
    tag: 'scale-in-memory-percent',
    min: 0,
    max: 99,
    description: 'Scale in when memory reservation is below this (%; below the scale-out one); above it only a consolidation scales in.',
  },
  {
    key: 'min',
    env: 'CAPACITY_MIN',
    tag: 'min',
    min: 0,
    max: 100_000,
    description: "Fewest capacity units (instances, or weights); the backend's own min and max narrow the bounds.",
  },
  { key: 'max', env: 'CAPACITY_MAX', tag: 'max', min: 0, max: 100_000, description: 'Most capacity units.' },
  { key: 'maxStep', env: 'CAPACITY_MAX_STEP', tag: 'max-step', min: 1, max: 10_000, description: 'Most units added in one decision.' },
  {
    key: 'scaleInCooldownMs',
    env: 'SCALE_IN_COOLDOWN_SECONDS',
    tag: 'scale-in-cooldown-seconds',
    min: 0,
    max: 86_400,
    scale: 1000,
    description: 'No scale-in this many seconds after a scale-out.',
  },
  {
    key: 'maxDraining',
    env: 'MAX_DRAINING',
    tag: 'max-draining',
    min: 1,
    max: 100,
    description: 'Scale-in waits while this many instances of the cluster are DRAINING (any drain counts).',
  },
  {
    key: 'arrivalTimeoutMs',
    env: 'CAPACITY_ARRIVAL_SECONDS',
    tag: 'capacity-arrival-seconds',
    min: 60,
    max: 86_400,
    scale: 1000,
    description:
      'Capacity asked for and not registered in ECS after this many seconds counts as not arrived; with a fallback backend it is asked of the fallback instead.',
  },
  {
    key: 'deploymentHoldMs',
    env: 'DEPLOYMENT_HOLD_MINUTES',
    tag: 'deployment-hold-minutes',
    min: 1,
    max: 1440,
    scale: 60_000,
    description:
      "Scale-in holds while a service deploys, for at most this many minutes from the deployment's start; past it the deployment is reported stuck (report `stuckDeployments`, metric, warning log) and scale-in no longer waits for it.",
  },
  {
    key: 'windowLeadMs',
    env: 'HEADROOM_WINDOW_LEAD_SECONDS',
    tag: 'headroom-window-lead-seconds',
    min: 0,
    max: 3600,
    scale: 1000,
    description:
      "How early a headroom window's room is asked for (plus one tick) until a launch time is measured: from the last scale-out to its last instance registered in ECS.",
  },
] as const;
