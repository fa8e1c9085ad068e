import { isAthenaName, normaliseName, quoteIdentifier, tableNameFor } from '../../../shared/logs/naming';

describe('table names', () => {
  it.each([
    ['my_awesome_app', 'app', 'my_awesome_app_app'],
    ['my-awesome-app', 'app', 'my_awesome_app_app'],
    ['Billing-API', 'Web-Server', 'billing_api_web_server'],
    ['worker2', 'log_router', 'worker2_log_router'],
    ['9lives', 'x', '9lives_x'],
  ])('%s + %s → %s', (family, container, expected) => {
    expect(tableNameFor(family, container)).toEqual({ ok: true, name: expected });
  });

  it.each([
    ['app"; drop table x; --', 'web', /family: .*not allowed/],
    ["app'", 'web', /family: characters "'"/],
    ['app', 'wéb', /container: characters "é"/],
    ['app', 'web.1', /container: characters "\."/],
    ['app', 'we b', /container: characters " "/],
    ['app', '🔥', /container: characters "🔥"/],
    ['app%', 'web', /family: characters "%"/],
    ['', 'web', /family: empty name/],
    ['app', '', /container: empty name/],
    ['a'.repeat(200), 'b'.repeat(60), /261 characters, more than 255/],
  ])('refuses %j + %j with a reason', (family, container, reason) => {
    const r = tableNameFor(family, container);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('names every offending character once', () => {
    const r = normaliseName('a.b.c;d');
    expect(r).toEqual({ ok: false, reason: 'characters "." ";" in "a.b.c;d" are not allowed in an Athena name' });
  });
});

describe('identifiers in SQL', () => {
  it.each(['my_app_web', 'container_logs', '9lives_x'])('quotes %s', (name) => {
    expect(quoteIdentifier(name)).toBe(`"${name}"`);
  });

  it.each(['a"b', 'My_App', 'a b', 'x;drop', '', 'a'.repeat(256), 'é'])('refuses to quote %j', (name) => {
    expect(isAthenaName(name)).toBe(false);
    expect(() => quoteIdentifier(name)).toThrow(RangeError);
  });
});
