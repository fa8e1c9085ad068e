import {
  addDays,
  dateRange,
  datePath,
  daysInRange,
  isValidTimeZone,
  localDate,
  monthSegments,
  parseIsoDate,
  partitionValues,
} from '../../../shared/logs/dates';

describe('calendar dates', () => {
  it.each([
    ['2026-11-28', { year: 2026, month: 11, day: 28 }],
    ['2028-02-29', { year: 2028, month: 2, day: 29 }],
    ['2026-02-29', undefined],
    ['2026-13-01', undefined],
    ['2026-11-31', undefined],
    ['2026-1-5', undefined],
    ['20261128', undefined],
    ["2026-11-28' or 1=1", undefined],
  ])('parses %j as %j', (text, expected) => {
    expect(parseIsoDate(text)).toEqual(expected);
  });

  it.each([
    ['2026-11-30', 1, '2026-12-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-03-01', -1, '2026-02-28'],
  ])('%s + %i day = %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  it('counts and lists a range inclusively', () => {
    expect(daysInRange('2026-11-01', '2026-11-20')).toBe(20);
    expect(daysInRange('2026-11-20', '2026-11-01')).toBe(0);
    expect(dateRange('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });

  it('writes paths zero-padded and partition values as plain integers', () => {
    expect(datePath('2026-01-05')).toBe('2026/01/05/');
    expect(partitionValues('2026-01-05')).toEqual(['2026', '1', '5']);
  });
});

describe('today in a time zone', () => {
  it.each([
    ['2026-11-23T22:00:00Z', 'UTC', '2026-11-23'],
    ['2026-11-23T23:30:00Z', 'Europe/Berlin', '2026-11-24'],
    ['2026-11-24T07:00:00Z', 'America/Los_Angeles', '2026-11-23'],
    ['2026-11-23T15:30:00Z', 'Asia/Tokyo', '2026-11-24'],
    ['2026-03-29T22:30:00Z', 'Europe/Berlin', '2026-03-30'], // after the spring DST switch (UTC+2)
    ['2026-10-25T22:30:00Z', 'Europe/Berlin', '2026-10-25'], // after the autumn switch (UTC+1)
  ])('at %s in %s it is %s', (iso, tz, expected) => {
    expect(localDate(Date.parse(iso), tz)).toBe(expected);
  });

  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('time zone %j valid: %s', (tz, ok) => {
    expect(isValidTimeZone(tz)).toBe(ok);
  });
});

describe('month segments', () => {
  it.each([
    ['2026-11-28', '2026-11-28', [{ year: 2026, month: 11, fromDay: 28, toDay: 28 }]],
    [
      '2026-11-28',
      '2026-12-02',
      [
        { year: 2026, month: 11, fromDay: 28, toDay: 30 },
        { year: 2026, month: 12, fromDay: 1, toDay: 2 },
      ],
    ],
    [
      '2026-12-31',
      '2027-01-01',
      [
        { year: 2026, month: 12, fromDay: 31, toDay: 31 },
        { year: 2027, month: 1, fromDay: 1, toDay: 1 },
      ],
    ],
    ['2026-11-02', '2026-11-01', []],
  ])('%s..%s', (from, to, expected) => {
    expect(monthSegments(from, to)).toEqual(expected);
  });
});
