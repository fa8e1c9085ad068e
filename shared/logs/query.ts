import { EventValidationError } from '../lambda/errors';
import { monthSegments, type IsoDate } from './dates';
import { isColumnName, quoteIdentifier } from './naming';

/**
 * The logSearch query. User values travel only as Athena execution parameters (`?`);
 * identifiers are checked against the table's columns and quoted. Athena reads each
 * execution parameter as a SQL literal, so a text value is sent as a quoted string literal
 * ("To treat SQL execution parameters as strings, they must be enclosed in single quotes" —
 * https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html).
 * `?` may only stand in the WHERE clause, so LIMIT is a validated integer in the text.
 */

/** The escape character for LIKE patterns (a constant of ours, never user input). */
const LIKE_ESCAPE = '\\';
export const DEFAULT_COLUMNS = ['time', 'log'] as const;

export interface SearchQuery {
  database: string;
  table: string;
  /** Columns besides `time` and `log`. */
  columns: readonly string[];
  from: IsoDate;
  to: IsoDate;
  contains?: string;
  ignoreCase?: boolean;
  regex?: string;
  limit: number;
  order: 'asc' | 'desc';
}

/** What the Glue catalogue says the table has. */
export interface TableShape {
  columns: readonly string[];
  partitionKeys: readonly string[];
}

export interface BuiltQuery {
  sql: string;
  parameters: string[];
  columns: string[];
}

/** A SQL string literal: single quotes around, inner single quotes doubled. */
export function sqlStringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Make `%`, `_` and the escape character itself match literally in a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `${LIKE_ESCAPE}${c}`);
}

function integerLiteral(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`expected an integer, got ${n}`);
  return String(n);
}

/** Check the selected columns against the table; throws EventValidationError naming what is wrong. */
export function selectColumns(requested: readonly string[], shape: TableShape): string[] {
  const available = new Set([...shape.columns, ...shape.partitionKeys]);
  const wanted = [...new Set([...DEFAULT_COLUMNS, ...requested])];
  const problems = wanted
    .filter((c) => !isColumnName(c) || !available.has(c))
    .map((c) => `${JSON.stringify(c)} is not a column of the table (columns: ${[...available].join(', ')})`);
  if (problems.length > 0) throw new EventValidationError('bad columns', problems);
  return wanted;
}

export function buildSearchQuery(q: SearchQuery, shape: TableShape): BuiltQuery {
  const missingKeys = ['year', 'month', 'day'].filter((k) => !shape.partitionKeys.includes(k));
  if (missingKeys.length > 0) {
    throw new EventValidationError(`table ${q.table} is not partitioned by year/month/day`, [
      `missing partition keys: ${missingKeys.join(', ')}`,
    ]);
  }
  if (!Number.isSafeInteger(q.limit) || q.limit < 1) throw new RangeError(`limit must be a positive integer, got ${q.limit}`);
  const columns = selectColumns(q.columns, shape);
  const parameters: string[] = [];
  const where: string[] = [];

  const segments = monthSegments(q.from, q.to);
  if (segments.length === 0) throw new EventValidationError('empty date range', [`from ${q.from} is after to ${q.to}`]);
  const days = segments.map((s) => {
    parameters.push(integerLiteral(s.year), integerLiteral(s.month), integerLiteral(s.fromDay), integerLiteral(s.toDay));
    return '(year = ? AND month = ? AND day BETWEEN ? AND ?)';
  });
  where.push(days.length === 1 ? days[0]! : `(${days.join(' OR ')})`);

  const log = quoteIdentifier('log');
  if (q.contains !== undefined) {
    const pattern = `%${escapeLike(q.ignoreCase ? q.contains.toLowerCase() : q.contains)}%`;
    where.push(`${q.ignoreCase ? `lower(${log})` : log} LIKE ? ESCAPE '${LIKE_ESCAPE}'`);
    parameters.push(sqlStringLiteral(pattern));
  }
  if (q.regex !== undefined) {
    where.push(`regexp_like(${log}, ?)`);
    parameters.push(sqlStringLiteral(q.regex));
  }

  const sql = [
    `SELECT ${columns.map(quoteIdentifier).join(', ')}`,
    `FROM ${quoteIdentifier(q.database)}.${quoteIdentifier(q.table)}`,
    `WHERE ${where.join('\n  AND ')}`,
    `ORDER BY ${quoteIdentifier('time')} ${q.order === 'desc' ? 'DESC' : 'ASC'}`,
    `LIMIT ${integerLiteral(q.limit)}`,
  ].join('\n');
  return { sql, parameters, columns };
}
