import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  DisabledException,
  InvalidKeyUsageException,
  KMSInvalidMacException,
  NotFoundException,
  type GenerateMacCommandInput,
  type VerifyMacCommandInput,
} from '@aws-sdk/client-kms';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { simError } from './errors';

/**
 * GenerateMac / VerifyMac `Message`: "Specify a message of up to 4,096 bytes"; length constraint
 * 1–4096 (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html).
 */
export const KMS_MAC_MESSAGE_MAX_BYTES = 4_096;

/**
 * HMAC key specs and the one MAC algorithm each supports ("HMAC_256 … HMAC_SHA_256", KMS developer
 * guide, "Key spec reference: HMAC key specs").
 */
const MAC_ALGORITHM: Record<string, { algorithm: string; hash: string; bytes: number }> = {
  HMAC_224: { algorithm: 'HMAC_SHA_224', hash: 'sha224', bytes: 28 },
  HMAC_256: { algorithm: 'HMAC_SHA_256', hash: 'sha256', bytes: 32 },
  HMAC_384: { algorithm: 'HMAC_SHA_384', hash: 'sha384', bytes: 48 },
  HMAC_512: { algorithm: 'HMAC_SHA_512', hash: 'sha512', bytes: 64 },
};

export interface SimKmsKey {
  keyId: string;
  arn: string;
  keySpec: string;
  keyUsage: 'GENERATE_VERIFY_MAC' | 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';
  enabled: boolean;
  /** The key material: it never leaves the model, as it never leaves KMS. */
  secret: Buffer;
}

const meta = () => ({ httpStatusCode: 400 });

/**
 * KMS HMAC keys: GenerateMac and VerifyMac (RFC 2104 HMACs over key material that never leaves
 * the service), with KMS's own exceptions: an unknown key is NotFoundException, a disabled one
 * DisabledException, a key not of usage GENERATE_VERIFY_MAC or an algorithm its spec does not
 * support InvalidKeyUsageException, and a MAC that does not match KMSInvalidMacException ("HMAC
 * verification fails when the HMAC computed by using the specified message, HMAC KMS key, and MAC
 * algorithm does not match the HMAC specified in the request", API_VerifyMac.html). A key is
 * named by its id, its ARN or an alias (`alias/…`).
 */
export class SimKms implements SimService {
  readonly keys = new Map<string, SimKmsKey>();
  private readonly aliases = new Map<string, string>();

  constructor(readonly account: SimulatedAccount) {}

  operations(): OperationTable {
    return {
      GenerateMac: (input: GenerateMacCommandInput) => this.generateMac(input),
      VerifyMac: (input: VerifyMacCommandInput) => this.verifyMac(input),
    };
  }

  /** Seeding, as CreateKey would (the stack creates ours): an enabled key; its ARN. */
  createKey(options: { keySpec?: string; keyUsage?: SimKmsKey['keyUsage']; alias?: string } = {}): string {
    const keyId = `${this.account.nextId()}-0000-4000-8000-${this.account.nextId()}0000`;
    const key: SimKmsKey = {
      keyId,
      arn: this.account.arn('kms', `key/${keyId}`),
      keySpec: options.keySpec ?? 'HMAC_256',
      keyUsage: options.keyUsage ?? 'GENERATE_VERIFY_MAC',
      enabled: true,
      secret: randomBytes(MAC_ALGORITHM[options.keySpec ?? 'HMAC_256']?.bytes ?? 32),
    };
    this.keys.set(keyId, key);
    if (options.alias) this.aliases.set(options.alias, keyId);
    return key.arn;
  }

  /** Seeding: the MAC GenerateMac would answer (HMAC_SHA_256 keys), for state a run of ours would have written. */
  macFor(keyIdOrAlias: string, message: Uint8Array): Uint8Array {
    const key = this.key(keyIdOrAlias);
    return new Uint8Array(createHmac(MAC_ALGORITHM[key.keySpec]!.hash, key.secret).update(message).digest());
  }

  /** CreateAlias / UpdateAlias (or DeleteAlias then CreateAlias): the alias names another key from now on. */
  pointAlias(alias: string, arn: string): void {
    this.aliases.set(alias, this.key(arn).keyId);
  }

  /** DisableKey / EnableKey. */
  setEnabled(arn: string, enabled: boolean): void {
    this.key(arn).enabled = enabled;
  }

  private generateMac(input: GenerateMacCommandInput) {
    const { key, spec, message } = this.usable(input, 'GenerateMac');
    return { KeyId: key.arn, MacAlgorithm: spec.algorithm, Mac: createHmac(spec.hash, key.secret).update(message).digest() };
  }

  private verifyMac(input: VerifyMacCommandInput) {
    const { key, spec, message } = this.usable(input, 'VerifyMac');
    const expected = createHmac(spec.hash, key.secret).update(message).digest();
    const given = Buffer.from(input.Mac ?? new Uint8Array());
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new KMSInvalidMacException({
        message:
          'The request was rejected because the HMAC verification failed. HMAC verification fails when the HMAC computed by ' +
          'using the specified message, HMAC KMS key, and MAC algorithm does not match the HMAC specified in the request.',
        $metadata: meta(),
      });
    return { KeyId: key.arn, MacAlgorithm: spec.algorithm, MacValid: true };
  }

  private usable(input: GenerateMacCommandInput | VerifyMacCommandInput, operation: string) {
    const message = Buffer.from(input.Message ?? new Uint8Array());
    if (message.length < 1 || message.length > KMS_MAC_MESSAGE_MAX_BYTES)
      throw simError(
        'ValidationException',
        `1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length ` +
          (message.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${KMS_MAC_MESSAGE_MAX_BYTES}`),
      );
    const key = this.key(input.KeyId ?? '');
    // Message texts below are ours (the exception names and their meaning are KMS's; the wording on the wire is not documented).
    if (!key.enabled) throw new DisabledException({ message: `${key.arn} is disabled.`, $metadata: meta() });
    const spec = MAC_ALGORITHM[key.keySpec];
    if (key.keyUsage !== 'GENERATE_VERIFY_MAC' || !spec)
      throw new InvalidKeyUsageException({
        message: `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`,
        $metadata: meta(),
      });
    if (input.MacAlgorithm !== spec.algorithm)
      throw new InvalidKeyUsageException({
        message: `Algorithm ${String(input.MacAlgorithm)} is incompatible with key spec ${key.keySpec}.`,
        $metadata: meta(),
      });
    return { key, spec, message };
  }

  private key(keyIdOrArn: string): SimKmsKey {
    const alias = /^(?:arn:[^:]+:kms:[^:]+:\d+:)?(alias\/.+)$/.exec(keyIdOrArn)?.[1];
    const id = alias ? this.aliases.get(alias) : /(?:^|key\/)([0-9a-f-]+)$/.exec(keyIdOrArn)?.[1];
    const key = id === undefined ? undefined : this.keys.get(id);
    // An ARN of another account or Region is another key: not found here.
    if (!key || (keyIdOrArn.startsWith('arn:') && !alias && keyIdOrArn !== key.arn))
      throw new NotFoundException({ message: `Key '${keyIdOrArn}' does not exist`, $metadata: meta() });
    return key;
  }
}
