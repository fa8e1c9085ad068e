import * as z from 'zod';
import { ConfigError } from './errors';

/**
 * Config comes from the environment, is parsed once at cold start, and a bad value fails
 * loudly naming the variable and the value. An empty string counts as missing (a blank
 * `${param:…}` in serverless.yml must not become a cluster called "").
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const raw = env[key];
    picked[key] = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  }
  const result = schema.safeParse(picked);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.join('.') || '(root)';
      return `${field}=${JSON.stringify(picked[String(issue.path[0])] ?? null)}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Reusable field types for environment variables. */
export const envBool = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? defaultValue : ['true', '1', 'yes'].includes(v)));

export const envInt = (defaultValue: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return defaultValue;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** Comma- or space-separated list; empty means "none configured". */
export const envList = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined ? [] : v.split(/[\s,]+/).filter((s) => s.length > 0)));

export const envArn = (service: string) =>
  z
    .string()
    .regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `expected an ${service} ARN`)
    .optional();
