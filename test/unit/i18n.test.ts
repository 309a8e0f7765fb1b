import { describe, expect, it } from 'vitest';
import { catalogFor, LOCALES, negotiateLocale, TRANSLATED_CODES, translate } from '../../lib/http/i18n.js';

describe('localised messages', () => {
  it('has every message in en, fr, ar and tzm', () => {
    for (const code of TRANSLATED_CODES) {
      for (const locale of LOCALES) expect(catalogFor(code)?.[locale], `${code}/${locale}`).toBeTruthy();
    }
  });

  it('negotiates Accept-Language with q-values, regions and Tamazight variants, English otherwise', () => {
    expect(negotiateLocale(undefined)).toBe('en');
    expect(negotiateLocale('de-DE, fr;q=0.4, ar;q=0.8')).toBe('ar');
    expect(negotiateLocale('fr-CA')).toBe('fr');
    expect(negotiateLocale('zgh')).toBe('tzm');
    expect(negotiateLocale('ja, zh;q=0.5')).toBe('en');
    expect(negotiateLocale('fr;q=0')).toBe('en');
  });

  it('fills parameters and falls back to the English message for unknown codes', () => {
    expect(translate('PAYLOAD_TOO_LARGE', 'fr', 'x', { limit: 10 })).toBe('Le corps de la requête dépasse 10 octets');
    expect(translate('SOMETHING_NEW', 'ar', 'Something new')).toBe('Something new');
  });
});
