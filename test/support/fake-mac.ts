import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MacPort } from '../../shared/fleet/log-volumes/stamps';

/**
 * A MAC port holding its own key, as KMS does: HMAC-SHA-256 (RFC 2104) over the message with a
 * secret the code under test never sees. `verify` answers false for any MAC not made with it.
 */
export function fakeMac(secret = 'test-key-material'): MacPort & { generated: number; verified: number } {
  const mac = (m: Uint8Array) => new Uint8Array(createHmac('sha256', secret).update(m).digest());
  const port = {
    generated: 0,
    verified: 0,
    generate: async (m: Uint8Array) => {
      port.generated++;
      return mac(m);
    },
    verify: async (m: Uint8Array, given: Uint8Array) => {
      port.verified++;
      const expected = mac(m);
      return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    },
  };
  return port;
}
