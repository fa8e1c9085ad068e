/**
 * Athena/Glue names. Glue stores table and column names in lower case and Athena accepts
 * only letters, digits and underscores in them
 * (https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html), while
 * ECS families and container names may also hold hyphens and upper case. We map `-` → `_`,
 * lower-case the rest and refuse anything else, loudly, rather than guess.
 */

/** Athena: "table names … can be up to 255 characters". */
export const ATHENA_NAME_MAX = 255;

const NAME = /^[a-z0-9_]+$/;
/** Column names we accept in a query: must also not start with a digit. */
const COLUMN = /^[a-z_][a-z0-9_]*$/;

export type NameResult = { ok: true; name: string } | { ok: false; reason: string };

/** Normalise one ECS name (family or container) for Athena; `-` becomes `_`. */
export function normaliseName(raw: string): NameResult {
  if (raw.length === 0) return { ok: false, reason: 'empty name' };
  const name = raw.toLowerCase().replace(/-/g, '_');
  if (!NAME.test(name)) {
    const bad = [...new Set([...name].filter((c) => !/[a-z0-9_]/.test(c)))].map((c) => JSON.stringify(c));
    return { ok: false, reason: `characters ${bad.join(' ')} in ${JSON.stringify(raw)} are not allowed in an Athena name` };
  }
  return { ok: true, name };
}

/** The table for one container: `<family>_<container>`, normalised. */
export function tableNameFor(family: string, container: string): NameResult {
  const f = normaliseName(family);
  if (!f.ok) return { ok: false, reason: `family: ${f.reason}` };
  const c = normaliseName(container);
  if (!c.ok) return { ok: false, reason: `container: ${c.reason}` };
  const name = `${f.name}_${c.name}`;
  if (name.length > ATHENA_NAME_MAX) return { ok: false, reason: `table name is ${name.length} characters, more than ${ATHENA_NAME_MAX}` };
  return { ok: true, name };
}

/** A name we may put between double quotes in SQL without escaping (tables, databases). */
export function isAthenaName(name: string): boolean {
  return NAME.test(name) && name.length <= ATHENA_NAME_MAX;
}

export function isColumnName(name: string): boolean {
  return COLUMN.test(name) && name.length <= ATHENA_NAME_MAX;
}

/**
 * Quote an identifier for Athena DML. Only names that passed `isAthenaName` reach SQL, so a
 * double quote can never appear inside; the check here is the last line of defence.
 */
export function quoteIdentifier(name: string): string {
  if (!isAthenaName(name)) throw new RangeError(`refusing to quote ${JSON.stringify(name)} as an Athena identifier`);
  return `"${name}"`;
}
