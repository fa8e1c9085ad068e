import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

/** CloudFormation short-form tags, kept as plain objects so the file parses. */
const cfnTags = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'ImportValue', 'FindInMap', 'GetAZs', 'Base64', 'Condition'].flatMap(
  (name) =>
    (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) => new yaml.Type(`!${name}`, { kind, construct: (data: unknown) => ({ [`Fn::${name}`]: data }) }),
    ),
);
const schema = yaml.DEFAULT_SCHEMA.extend(cfnTags);

export interface ServerlessConfig {
  service: string;
  provider: { runtime: string; environment?: Record<string, unknown> };
  params: Record<string, Record<string, string>>;
  functions: Record<string, { handler: string; environment?: Record<string, unknown>; events?: Array<Record<string, any>> }>;
  resources?: { Resources?: Record<string, { Type: string; Properties?: any }> };
}

export function loadServerlessConfig(root = join(__dirname, '..', '..')): ServerlessConfig {
  return yaml.load(readFileSync(join(root, 'serverless.yml'), 'utf8'), { schema }) as ServerlessConfig;
}
