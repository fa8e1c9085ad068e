import { EventValidationError } from '../../../shared/lambda/errors';
import { buildSearchQuery, escapeLike, sqlStringLiteral, type SearchQuery, type TableShape } from '../../../shared/logs/query';
import { countPlaceholders, decodeLiteral } from '../../../sim/athena';

const shape: TableShape = { columns: ['time', 'log', 'container_id', 'source'], partitionKeys: ['year', 'month', 'day'] };
const base: SearchQuery = {
  database: 'container_logs',
  table: 'my_awesome_app_app',
  columns: [],
  from: '2018-11-28',
  to: '2018-11-28',
  limit: 100,
  order: 'asc',
};

describe('search query', () => {
  it('builds the issue example with every value as a parameter', () => {
    const q = buildSearchQuery({ ...base, contains: 'ERROR' }, shape);
    expect(q.sql).toBe(
      [
        'SELECT "time", "log"',
        'FROM "container_logs"."my_awesome_app_app"',
        'WHERE (year = ? AND month = ? AND day BETWEEN ? AND ?)',
        `  AND "log" LIKE ? ESCAPE '\\'`,
        'ORDER BY "time" ASC',
        'LIMIT 100',
      ].join('\n'),
    );
    expect(q.parameters).toEqual(['2018', '11', '28', '28', "'%ERROR%'"]);
    expect(q.columns).toEqual(['time', 'log']);
  });

  it('splits a range over a month boundary into one predicate per month', () => {
    const q = buildSearchQuery({ ...base, from: '2026-11-29', to: '2026-12-02' }, shape);
    expect(q.sql).toContain('WHERE ((year = ? AND month = ? AND day BETWEEN ? AND ?) OR (year = ? AND month = ? AND day BETWEEN ? AND ?))');
    expect(q.parameters).toEqual(['2026', '11', '29', '30', '2026', '12', '1', '2']);
  });

  it('adds a regular expression, extra columns, descending order and the limit', () => {
    const q = buildSearchQuery(
      { ...base, regex: 'timeout after \\d+ ms', columns: ['source', 'container_id', 'time'], order: 'desc', limit: 7 },
      shape,
    );
    expect(q.sql).toContain('SELECT "time", "log", "source", "container_id"');
    expect(q.sql).toContain('AND regexp_like("log", ?)');
    expect(q.sql).toMatch(/ORDER BY "time" DESC\nLIMIT 7$/);
    expect(q.parameters[4]).toBe("'timeout after \\d+ ms'");
  });

  it('lower-cases both sides for a case-insensitive contains', () => {
    const q = buildSearchQuery({ ...base, contains: 'Error', ignoreCase: true }, shape);
    expect(q.sql).toContain(`lower("log") LIKE ? ESCAPE '\\'`);
    expect(q.parameters[4]).toBe("'%error%'");
  });

  const hostile = [
    "'; DROP TABLE x; --",
    "it's",
    "''",
    '100%',
    'under_score',
    'back\\slash',
    '-- comment',
    '/* block */',
    'a; SELECT 1',
    '?',
    '" OR "1"="1',
    'ünïcödé ✓ 日本語 🔥',
    'line\nbreak',
    "\\'; --",
  ];

  it.each(hostile)('keeps %j out of the SQL text and makes it match literally', (text) => {
    const q = buildSearchQuery({ ...base, contains: text, regex: text }, shape);
    const withoutText = buildSearchQuery({ ...base, contains: 'x', regex: 'x' }, shape);
    expect(q.sql).toBe(withoutText.sql);
    expect(countPlaceholders(q.sql)).toBe(q.parameters.length);
    // Athena reads each parameter as one literal: the LIKE pattern decodes to the escaped text…
    expect(decodeLiteral(q.parameters[4]!)).toBe(`%${escapeLike(text)}%`);
    // …and the regex to the text itself.
    expect(decodeLiteral(q.parameters[5]!)).toBe(text);
  });

  it.each([
    ['100%', '100\\%'],
    ['a_b', 'a\\_b'],
    ['c:\\temp', 'c:\\\\temp'],
    ['%_\\', '\\%\\_\\\\'],
    ['plain', 'plain'],
  ])('escapes LIKE wildcards in %j as %j', (text, expected) => {
    expect(escapeLike(text)).toBe(expected);
  });

  it.each([
    ["it's", "'it''s'"],
    ["'", "''''"],
    ['', "''"],
  ])('quotes %j as the literal %s', (text, literal) => {
    expect(sqlStringLiteral(text)).toBe(literal);
    expect(decodeLiteral(literal)).toBe(text);
  });

  it.each([
    [['nope'], /"nope" is not a column/],
    [['log"; --'], /is not a column/],
    [['LOG'], /"LOG" is not a column/],
    [['time, (select 1)'], /is not a column/],
  ])('refuses columns %j', (columns, message) => {
    expect(() => buildSearchQuery({ ...base, columns }, shape)).toThrow(EventValidationError);
    expect(() => buildSearchQuery({ ...base, columns }, shape)).toThrow(message);
  });

  it('refuses a table without year/month/day partitions', () => {
    expect(() => buildSearchQuery(base, { columns: ['time', 'log'], partitionKeys: ['dt'] })).toThrow(
      /missing partition keys: year, month, day/,
    );
  });

  it('refuses a table without a time column', () => {
    expect(() => buildSearchQuery(base, { columns: ['log'], partitionKeys: ['year', 'month', 'day'] })).toThrow(/"time" is not a column/);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses limit %p', (limit) => {
    expect(() => buildSearchQuery({ ...base, limit }, shape)).toThrow(RangeError);
  });

  it('refuses an empty range', () => {
    expect(() => buildSearchQuery({ ...base, from: '2026-11-02', to: '2026-11-01' }, shape)).toThrow(/empty date range/);
  });
});
