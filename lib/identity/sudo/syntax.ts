/**
 * The value syntaxes of sudoRole attributes (sudoers.ldap(5), sudoers(5)), as pure checks. Pure: no I/O.
 *
 * sudoHost, sudoCommand and sudoOption are IA5 strings in the sudo schema: only printable ASCII is accepted
 * (slapd would refuse anything else with an attribute syntax error).
 */

/** The cn of a rule; `defaults` is sudo's entry of global options. */
export const SUDO_CN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The cn of sudo's global options entry: it needs no sudoUser / sudoHost / sudoCommand. */
export const SUDO_DEFAULTS_CN = 'defaults';

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** A user or group name: POSIX portable characters plus `@` (user@domain, sssd) and a trailing `$` (machine accounts). */
const NAME = '[A-Za-z0-9_][A-Za-z0-9_.@-]{0,254}\\$?';
const NETGROUP = '\\+[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}';

/**
 * sudoUser: `user`, `%group`, `%:nonunixgroup`, `#uid`, `%#gid`, `%:#gid`, `+netgroup` or `ALL`, each
 * optionally negated with one leading `!`.
 */
const SUDO_USER = new RegExp(`^!?(?:ALL|#\\d{1,10}|%:?#\\d{1,10}|%:?${NAME}|${NETGROUP}|${NAME})$`);
/** sudoRunAsUser: the user forms of sudoUser (a user, `#uid`, `%group`, `+netgroup`, `ALL`). */
const SUDO_RUNAS_USER = SUDO_USER;
/** sudoRunAsGroup: `group`, `#gid` or `ALL`, optionally negated. */
const SUDO_RUNAS_GROUP = new RegExp(`^!?(?:ALL|#\\d{1,10}|${NAME})$`);
/**
 * sudoHost: `ALL`, `+netgroup`, a host name (shell wildcards allowed: `srv-web-*`), an IPv4/IPv6 address or
 * network (`192.168.1.0/24`, `10.0.0.0/255.0.0.0`, `fe80::/10`), optionally negated.
 */
const SUDO_HOST = new RegExp(`^!?(?:ALL|${NETGROUP}|[A-Za-z0-9*?_.:\\[\\]-]{1,255}(?:/[0-9.]{1,15})?)$`);
/**
 * sudoCommand: `ALL`, `sudoedit <files>`, or an absolute path (a directory when it ends with `/`) with
 * optional arguments (`""` = no arguments allowed), optionally prefixed with a digest (`sha256:<base64|hex>`),
 * optionally negated.
 */
const SUDO_COMMAND = /^!?(?:ALL|(?:sha(?:224|256|384|512):[A-Za-z0-9+/=]{20,} )?(?:sudoedit(?: \S.*)?|\/[^\s]*(?: \S.*)?))$/;
/** sudoOption: a flag (`authenticate`, `!authenticate`) or `name=value`, `name+=value`, `name-=value`. */
const SUDO_OPTION_FLAG = /^!?[a-z_][a-z0-9_]{0,63}$/;
const SUDO_OPTION_VALUE = /^[a-z_][a-z0-9_]{0,63}(?:\+=|-=|=)\S(?:.*\S)?$/;

const ascii = (v: string) => PRINTABLE_ASCII.test(v);

export const isSudoUser = (v: string): boolean => SUDO_USER.test(v);
export const isSudoRunAsUser = (v: string): boolean => SUDO_RUNAS_USER.test(v);
export const isSudoRunAsGroup = (v: string): boolean => SUDO_RUNAS_GROUP.test(v);
export const isSudoHost = (v: string): boolean => ascii(v) && SUDO_HOST.test(v);
export const isSudoCommand = (v: string): boolean => v.length <= 4096 && ascii(v) && SUDO_COMMAND.test(v);
export const isSudoOption = (v: string): boolean => v.length <= 1024 && ascii(v) && (SUDO_OPTION_FLAG.test(v) || SUDO_OPTION_VALUE.test(v));

// ---------------------------------------------------------------------------------------------------------
// Time: sudoNotBefore / sudoNotAfter are GeneralizedTime; the API takes ISO 8601 (or GeneralizedTime).

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{2})?)?(?:[.,]\d{1,9})?(Z|[+-]\d{2}(?:\d{2})?)$/;

function offsetMinutes(zone: string | undefined): number | null {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const h = Number(m[2]);
  const min = Number(m[3] ?? '0');
  if (h > 23 || min > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + min);
}

/**
 * An instant given as ISO 8601 (`2026-01-17T10:30:00Z`, `2026-01-17T11:30:00+01:00`, a date alone = midnight
 * UTC) or as GeneralizedTime (`20260117103000Z`) → a Date; null when malformed or not a real date (a time
 * without a zone is refused: it would be ambiguous). Fractions of a second are dropped.
 */
export function parseInstant(input: string): Date | null {
  const iso = ISO.exec(input);
  const gen = iso ? null : GENERALIZED.exec(input);
  const m = iso ?? gen;
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((x) => x ?? '0') as string[];
  const zone = m[7];
  if (iso && m[4] !== undefined && zone === undefined) return null;
  const offset = offsetMinutes(zone);
  if (offset === null) return null;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]));
  if (
    local.getUTCFullYear() !== parts[0] ||
    local.getUTCMonth() !== parts[1] - 1 ||
    local.getUTCDate() !== parts[2] ||
    local.getUTCHours() !== parts[3] ||
    local.getUTCMinutes() !== parts[4] ||
    local.getUTCSeconds() !== parts[5]
  )
    return null;
  return new Date(local.getTime() - offset * 60_000);
}

/** Date → RFC 4517 GeneralizedTime in UTC, seconds precision: `20260117103000Z`. */
export const toGeneralizedTime = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** A stored GeneralizedTime → ISO 8601 UTC (`2026-01-17T10:30:00Z`); the raw value when it does not parse. */
export function isoFromStored(v: string): string {
  const d = parseInstant(v);
  return d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : v;
}
