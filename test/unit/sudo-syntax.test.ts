import { describe, expect, it } from 'vitest';
import * as z from '../../lib/http/zod.js';
import {
  isoFromStored,
  isSudoCommand,
  isSudoHost,
  isSudoOption,
  isSudoRunAsGroup,
  isSudoUser,
  parseInstant,
  toGeneralizedTime,
} from '../../lib/identity/sudo/syntax.js';
import { CreateSudoRuleBody, SudoCnParams, UpdateSudoRuleBody } from '../../lib/identity/sudo/schemas.js';

const fields = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (r.error?.issues ?? []).map((i) => i.path.map(String).join('.'));

describe('sudo value syntaxes', () => {
  it('sudoUser: user, %group, %:group, #uid, %#gid, +netgroup, ALL, optionally negated', () => {
    for (const v of [
      'jdoe',
      '%developers',
      '%:Domain_Users',
      '#1000',
      '%#10000',
      '%:#5',
      '+admins',
      'ALL',
      '!jdoe',
      '!%wheel',
      'jdoe@ad.example',
      'host$',
    ])
      expect(isSudoUser(v), v).toBe(true);
    for (const v of ['', '!!jdoe', '% developers', 'jdoe,root', '#', '#12a', '+', 'a b', '%', '-rf', '(ALL)', 'jdoe\n'])
      expect(isSudoUser(v), v).toBe(false);
  });

  it('sudoHost: names with wildcards, addresses and networks, +netgroup, ALL', () => {
    for (const v of [
      'ALL',
      'srv-web-*',
      'srv-web-01.example.com',
      '192.168.1.10',
      '192.168.1.0/24',
      '10.0.0.0/255.0.0.0',
      'fe80::/10',
      '+webservers',
      '!db01',
      'web[0-9]',
    ])
      expect(isSudoHost(v), v).toBe(true);
    for (const v of ['', 'a b', 'héte', 'srv,web', '!!a', 'x/abc']) expect(isSudoHost(v), v).toBe(false);
  });

  it('sudoCommand: absolute paths with arguments, sudoedit, digests, ALL, negation', () => {
    for (const v of [
      'ALL',
      '!ALL',
      '/usr/bin/docker',
      '/usr/bin/systemctl restart nginx',
      '/usr/bin/su ""',
      '/usr/local/bin/',
      '!/usr/bin/passwd root',
      'sudoedit /etc/hosts',
      'sha256:ZWFlZjE2YmE2NjI2NjVjYTQ3ZWUxNjk0YmQ4NTdkZmMK /usr/bin/ls',
    ])
      expect(isSudoCommand(v), v).toBe(true);
    for (const v of ['', 'docker', 'usr/bin/ls', '/usr/bin/ls ', ' /usr/bin/ls', '/usr/bin/ls\nALL', '/usr/bin/é', '!!/bin/sh', 'all'])
      expect(isSudoCommand(v), v).toBe(false);
  });

  it('sudoOption: flags, negated flags and name=value / += / -=', () => {
    for (const v of [
      '!authenticate',
      'authenticate',
      'env_keep+=SSH_AUTH_SOCK',
      'env_keep-="HOME PATH"',
      'passwd_timeout=5',
      'secure_path=/usr/bin:/bin',
    ])
      expect(isSudoOption(v), v).toBe(true);
    for (const v of ['', '!!authenticate', 'env_keep+=', '=5', 'Bad-Name', 'env_keep += X', 'x=é', 'a=b\nc'])
      expect(isSudoOption(v), v).toBe(false);
  });

  it('sudoRunAsGroup: group, #gid, ALL', () => {
    for (const v of ['wheel', '#0', 'ALL', '!adm']) expect(isSudoRunAsGroup(v), v).toBe(true);
    for (const v of ['%wheel', '+ng', '']) expect(isSudoRunAsGroup(v), v).toBe(false);
  });
});

describe('sudo times', () => {
  it('reads ISO 8601 with a zone, a date alone, and GeneralizedTime, into UTC', () => {
    const gt = (s: string) => {
      const d = parseInstant(s);
      return d && toGeneralizedTime(d);
    };
    expect(gt('2026-01-17T10:30:00Z')).toBe('20260117103000Z');
    expect(gt('2026-01-17T11:30:00.250+01:00')).toBe('20260117103000Z');
    expect(gt('2026-01-17T05:30-0500')).toBe('20260117103000Z');
    expect(gt('2026-01-17')).toBe('20260117000000Z');
    expect(gt('20260117103000Z')).toBe('20260117103000Z');
    expect(gt('2026011710Z')).toBe('20260117100000Z');
    expect(gt('20260117113000+0100')).toBe('20260117103000Z');
  });

  it('refuses a time without a zone, impossible dates and garbage', () => {
    for (const v of [
      '2026-01-17T10:30:00',
      '2026-02-30',
      '2026-13-01T00:00:00Z',
      '2026-01-17T24:00:00Z',
      '20260230000000Z',
      'tomorrow',
      '',
      '2026-01-17T10:30:00+25:00',
    ])
      expect(parseInstant(v), v).toBeNull();
  });

  it('shows stored values as ISO 8601 UTC (the raw value when unreadable)', () => {
    expect(isoFromStored('20260117103000Z')).toBe('2026-01-17T10:30:00Z');
    expect(isoFromStored('garbage')).toBe('garbage');
  });
});

describe('sudo request schemas', () => {
  const rule = {
    cn: 'webapp-deploy',
    sudoUser: ['%deployers', 'jdoe'],
    sudoHost: ['srv-web-*'],
    sudoCommand: ['/usr/local/bin/deploy.sh'],
  };

  it('accepts the spec example and converts times to GeneralizedTime', () => {
    const r = z.safeParse(CreateSudoRuleBody, {
      ...rule,
      sudoOption: ['!authenticate'],
      sudoOrder: 10,
      sudoNotBefore: '2026-01-17T11:30:00+01:00',
    });
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({ sudoOrder: 10, sudoNotBefore: '20260117103000Z' });
  });

  it('names each bad field', () => {
    const r = z.safeParse(CreateSudoRuleBody, {
      cn: 'bad cn!',
      sudoUser: ['jdoe', '% bad'],
      sudoHost: [],
      sudoCommand: ['rm -rf /'],
      sudoOption: ['x y'],
      sudoOrder: -1,
      sudoNotAfter: 'soon',
    });
    expect(fields(r)).toEqual(
      expect.arrayContaining(['cn', 'sudoUser.1', 'sudoHost', 'sudoCommand.0', 'sudoOption.0', 'sudoOrder', 'sudoNotAfter']),
    );
  });

  it('requires sudoUser, sudoHost and sudoCommand except for cn=defaults; refuses duplicates and a reversed window', () => {
    expect(fields(z.safeParse(CreateSudoRuleBody, { cn: 'empty' }))).toEqual(['sudoUser', 'sudoHost', 'sudoCommand']);
    expect(z.safeParse(CreateSudoRuleBody, { cn: 'defaults', sudoOption: ['!authenticate'] }).success).toBe(true);
    expect(fields(z.safeParse(CreateSudoRuleBody, { ...rule, sudoUser: ['jdoe', 'jdoe'] }))).toEqual(['sudoUser']);
    const reversed = z.safeParse(CreateSudoRuleBody, { ...rule, sudoNotBefore: '2026-02-01', sudoNotAfter: '2026-01-01' });
    expect(fields(reversed)).toEqual(['sudoNotAfter']);
  });

  it('update: null removes, cn is read-only; path cn validated', () => {
    expect(z.safeParse(UpdateSudoRuleBody, { sudoOption: null, sudoOrder: null }).success).toBe(true);
    expect(fields(z.safeParse(UpdateSudoRuleBody, { cn: 'other' }))).toEqual(['cn']);
    expect(z.safeParse(SudoCnParams, { cn: 'a,b' }).success).toBe(false);
  });
});
