import * as z from '../../http/zod.js';
import { UidParams } from '../schemas.js';
import { MAX_KEY_LINE, SSH_KEY_TYPES } from './parse.js';

export const SshKeyParams = z.extend(UidParams, {
  id: z.text(1, 128),
});

export const AddSshKeyBody = z.object({
  public_key: z.text(1, MAX_KEY_LINE),
});
export type AddSshKeyBody = z.infer<typeof AddSshKeyBody>;

export const SshKeyView = z.object({
  id: z.string(),
  type: z.string(),
  fingerprint: z.string(),
  comment: z.nullable(z.string()),
  added_at: z.nullable(z.string()),
});

export const SshKeyList = z.object({ keys: z.array(SshKeyView) });

/** For the OpenAPI descriptions. */
export const SSH_KEY_TYPE_LIST = SSH_KEY_TYPES.join(', ');
