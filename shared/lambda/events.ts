import * as z from 'zod';
import { EventValidationError } from './errors';

/** The EventBridge envelope fields we rely on. */
export const eventBridgeEnvelope = {
  version: z.string().optional(),
  id: z.string().min(1),
  source: z.string(),
  account: z.string().optional(),
  time: z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time' }),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
};

/** Parse or throw an EventValidationError that names every bad field. */
export function parseEvent<S extends z.ZodType>(schema: S, event: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  throw new EventValidationError(
    `malformed ${what}`,
    result.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`),
  );
}
