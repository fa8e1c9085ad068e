/**
 * The part of EventBridge pattern matching our rules use: every key of the pattern must be
 * in the event; an array lists allowed values; an object matches a nested object.
 * (Content filters such as prefix/anything-but are not supported and fail loudly.)
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    const got = event[key];
    if (Array.isArray(want)) {
      if (want.some((w) => typeof w === 'object' && w !== null))
        throw new Error(`content filter in pattern key ${key} is not supported by this matcher`);
      return Array.isArray(got) ? got.some((g) => want.includes(g)) : want.includes(got);
    }
    if (want && typeof want === 'object') {
      return !!got && typeof got === 'object' && matchesPattern(want as Record<string, unknown>, got as Record<string, unknown>);
    }
    throw new Error(`pattern key ${key} must be an array or an object`);
  });
}
