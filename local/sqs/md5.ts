/** The MD5 digests SQS returns for message bodies and message attributes. */
import { createHash } from 'node:crypto';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string; // base64 on the wire
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** The documented MD5OfMessageAttributes algorithm (names sorted; length-prefixed UTF-8 fields). */
export function md5OfMessageAttributes(attrs: Record<string, MessageAttributeValue>): string {
  const hash = createHash('md5');
  const lenPrefixed = (b: Buffer): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length, 0);
    hash.update(len);
    hash.update(b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const v = attrs[name]!;
    lenPrefixed(Buffer.from(name, 'utf8'));
    lenPrefixed(Buffer.from(v.DataType, 'utf8'));
    if (v.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lenPrefixed(Buffer.from(v.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lenPrefixed(Buffer.from(v.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}
