/** Small zod builders the identity schemas share. */
import { parseDn } from '../core/dn.js';
import * as z from '../http/zod.js';

/** Optional and nullable: in an update body, absent leaves the attribute alone and `null` removes it. */
export const nullable = <T extends z.Schema>(s: T) => z.optional(z.nullable(s));

/** A well-formed RFC 4514 DN (lib/core/dn.ts). */
export const isDn = (v: string): boolean => {
  try {
    return parseDn(v).length > 0;
  } catch {
    return false;
  }
};

/** A DN given by the client: well-formed, at most 1024 characters (whether it lies under the base is the use case's check). */
export const dnString = () => z.string().check(z.maxLength(1024), z.refine(isDn, 'must be a DN (RFC 4514)'));
