import * as z from 'zod';

/** RunTask's `overrides` as a launcher reports them (task-level CPU/memory strings, container overrides). */
export const runTaskOverridesSchema = z.object({
  cpu: z.string().regex(/^\d+$/, 'expected whole CPU units as a string').optional(),
  memory: z.string().regex(/^\d+$/, 'expected MiB as a string').optional(),
  containerOverrides: z
    .array(
      z.object({
        name: z.string().min(1),
        cpu: z.number().int().nonnegative().optional(),
        memory: z.number().int().nonnegative().optional(),
        memoryReservation: z.number().int().nonnegative().optional(),
      }),
    )
    .optional(),
});
export type RunTaskOverrides = z.infer<typeof runTaskOverridesSchema>;
