import { simError } from '../sim/errors';

/** The drain-outcome benchmark's rows (bench/drain-outcomes.ts runs them): Spot interruptions and waves, then ASG drains. */

export interface SpotRow {
  name: string;
  victims: number;
  tasksPerVictim: number;
  services: number;
  delaySeconds: number;
  throttle?: number;
  lateSeconds?: number;
  outage?: { service: 'ecs' | 'elbv2'; operation: string; error: () => Error; seconds: number };
  /** Every task of each service sits on the interrupted instances (keep-serving holds their groups). */
  allOnVictims?: boolean;
}

export const server = (name: string, status: number) => () => simError(name, `simulated ${status}`, status);

export const SPOT_ROWS: SpotRow[] = [
  { name: '1 × 10 tasks, 1 group, 30 s', victims: 1, tasksPerVictim: 10, services: 1, delaySeconds: 30 },
  { name: '1 × 50 tasks, 10 groups, 30 s', victims: 1, tasksPerVictim: 50, services: 10, delaySeconds: 30 },
  { name: '1 × 50 tasks, 10 groups, 300 s', victims: 1, tasksPerVictim: 50, services: 10, delaySeconds: 300 },
  { name: '1 × 50 tasks, 10 groups, 30 s, 10 % throttled', victims: 1, tasksPerVictim: 50, services: 10, delaySeconds: 30, throttle: 0.1 },
  { name: '1 × 50 tasks, 10 groups, 30 s, 30 % throttled', victims: 1, tasksPerVictim: 50, services: 10, delaySeconds: 30, throttle: 0.3 },
  { name: '1 × 50 tasks, 10 groups, 30 s, 50 % throttled', victims: 1, tasksPerVictim: 50, services: 10, delaySeconds: 30, throttle: 0.5 },
  {
    name: '1 × 50 tasks, 10 groups, 30 s, notice 60 s late',
    victims: 1,
    tasksPerVictim: 50,
    services: 10,
    delaySeconds: 30,
    lateSeconds: 60,
  },
  {
    name: '1 × 200 tasks, 20 groups, 30 s, 10 % throttled',
    victims: 1,
    tasksPerVictim: 200,
    services: 20,
    delaySeconds: 30,
    throttle: 0.1,
  },
  {
    name: '1 × 200 tasks, 20 groups, 300 s, 30 % throttled, 60 s late',
    victims: 1,
    tasksPerVictim: 200,
    services: 20,
    delaySeconds: 300,
    throttle: 0.3,
    lateSeconds: 60,
  },
  {
    name: '1 × 50 tasks, 10 groups, 30 s, every task of each service here',
    victims: 1,
    tasksPerVictim: 50,
    services: 10,
    delaySeconds: 30,
    allOnVictims: true,
  },
  {
    name: '1 × 50 tasks, 10 groups, 300 s, every task of each service here',
    victims: 1,
    tasksPerVictim: 50,
    services: 10,
    delaySeconds: 300,
    allOnVictims: true,
  },
  // Waves (many notices at once) have their own section over many seeds: bench/drain-waves.ts.
  {
    name: 'outage: ListTasks 500 for 70 s',
    victims: 1,
    tasksPerVictim: 50,
    services: 10,
    delaySeconds: 30,
    outage: { service: 'ecs', operation: 'ListTasks', error: server('ServerException', 500), seconds: 70 },
  },
  {
    name: 'outage: DeregisterTargets 503 for 60 s',
    victims: 1,
    tasksPerVictim: 50,
    services: 10,
    delaySeconds: 30,
    outage: { service: 'elbv2', operation: 'DeregisterTargets', error: server('ServiceUnavailable', 503), seconds: 60 },
  },
  {
    name: 'outage: StopTask 500 for 30 s',
    victims: 1,
    tasksPerVictim: 50,
    services: 10,
    delaySeconds: 30,
    outage: { service: 'ecs', operation: 'StopTask', error: server('ServerException', 500), seconds: 30 },
  },
];

export interface AsgRow {
  name: string;
  delaySeconds: number;
  /** ECS down (every operation answers 500) for this long, starting 20 s into the drain. */
  ecsDownSeconds?: number;
}

export const ASG_ROWS: AsgRow[] = [
  { name: '300 s deregistration delay', delaySeconds: 300 },
  { name: '1 h drain (deregistration delay 3000 s)', delaySeconds: 3000 },
  { name: 'ECS down 60 s mid-drain', delaySeconds: 300, ecsDownSeconds: 60 },
  { name: 'ECS down 300 s mid-drain', delaySeconds: 300, ecsDownSeconds: 300 },
  { name: 'ECS down 15 min mid-drain', delaySeconds: 300, ecsDownSeconds: 900 },
];
