/**
 * Build a value on first use and keep it for the life of the Lambda container. Handlers
 * use it for their real dependencies (config, clients), so importing a handler in a test
 * builds nothing and reads no environment.
 */
export function lazy<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
