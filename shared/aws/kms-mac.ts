import { GenerateMacCommand, VerifyMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { sendOptions, type CallOptions } from './call';
import { awsErrorName } from './errors';

/**
 * The MAC algorithm of an HMAC_256 key, the only one that key spec supports (KMS developer guide,
 * "HMAC key specs"). GenerateMac/VerifyMac fail with InvalidKeyUsageException for any other.
 */
export const MAC_ALGORITHM = 'HMAC_SHA_256';

/**
 * HMACs computed by a KMS HMAC key whose material never leaves KMS: whoever may not call
 * kms:GenerateMac on the key cannot make a MAC that kms:VerifyMac accepts.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html
 */
export class KmsMacAdapter {
  /** The key ARN KMS named in its first answer: the key behind `keyId` for this adapter's life. */
  private answeredBy: string | undefined;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  /**
   * KMS names the key it used (`KeyId`, its ARN) in every answer. An alias moved to another key
   * during a run (an adapter serves one) would mix two keys' MACs, so any answer from a key other than the
   * first one's throws (the role's policy already denies every other key; this holds without it).
   */
  private checkKey(answered: string | undefined): void {
    if (!answered) throw new Error(`KMS named no key in its answer for ${this.keyId}`);
    this.answeredBy ??= answered;
    if (answered !== this.answeredBy) throw new Error(`${this.keyId} now names ${answered}, not ${this.answeredBy}: refused`);
  }

  /** GenerateMac over `message` (1–4096 bytes); throws on any failure. */
  async generate(message: Uint8Array, o?: CallOptions): Promise<Uint8Array> {
    const out = await this.kms.send(
      new GenerateMacCommand({ KeyId: this.keyId, Message: message, MacAlgorithm: MAC_ALGORITHM }),
      sendOptions(o),
    );
    this.checkKey(out.KeyId);
    if (!out.Mac) throw new Error('GenerateMac answered no Mac');
    return out.Mac;
  }

  /**
   * VerifyMac: true when KMS says the MAC is this key's over `message`; false for
   * KMSInvalidMacException (the one answer meaning "not ours"). Any other failure throws: a key
   * we cannot use proves nothing either way, and the caller must not read it as "forged".
   */
  async verify(message: Uint8Array, mac: Uint8Array, o?: CallOptions): Promise<boolean> {
    try {
      const out = await this.kms.send(
        new VerifyMacCommand({ KeyId: this.keyId, Message: message, Mac: mac, MacAlgorithm: MAC_ALGORITHM }),
        sendOptions(o),
      );
      this.checkKey(out.KeyId);
      return out.MacValid === true;
    } catch (err) {
      if (awsErrorName(err) === 'KMSInvalidMacException') return false;
      throw err;
    }
  }
}
