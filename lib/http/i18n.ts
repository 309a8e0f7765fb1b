/**
 * Localised error messages (en, fr, ar, tzm). Codes never change with the language; only `message` does.
 * Keys are error codes; `{name}` placeholders take the error's message parameters.
 */
export const LOCALES = ['en', 'fr', 'ar', 'tzm'] as const;
export type Locale = (typeof LOCALES)[number];

type Catalog = Record<string, Partial<Record<Locale, string>>>;

const MESSAGES: Catalog = {
  VALIDATION_ERROR: {
    en: 'Request validation failed',
    fr: 'La validation de la requête a échoué',
    ar: 'فشل التحقق من صحة الطلب',
    tzm: 'Ur tedda ara tsenqedt n usuter',
  },
  MALFORMED_JSON: {
    en: 'The request body is not valid JSON',
    fr: "Le corps de la requête n'est pas un JSON valide",
    ar: 'نص الطلب ليس JSON صالحًا',
    tzm: 'Tafekka n usuter mačči d JSON ameɣtu',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    en: 'Content-Type must be application/json',
    fr: 'Le Content-Type doit être application/json',
    ar: 'يجب أن يكون نوع المحتوى application/json',
    tzm: 'Content-Type ilaq ad yili d application/json',
  },
  PAYLOAD_TOO_LARGE: {
    en: 'The request body exceeds {limit} bytes',
    fr: 'Le corps de la requête dépasse {limit} octets',
    ar: 'يتجاوز نص الطلب {limit} بايت',
    tzm: 'Tafekka n usuter tɛedda {limit} n yibiten',
  },
  ROUTE_NOT_FOUND: {
    en: 'No route matches {method} {path}',
    fr: 'Aucune route ne correspond à {method} {path}',
    ar: 'لا يوجد مسار يطابق {method} {path}',
    tzm: 'Ulac abrid i yemsasan d {method} {path}',
  },
  METHOD_NOT_ALLOWED: {
    en: 'Method {method} is not allowed on {path}',
    fr: "La méthode {method} n'est pas autorisée sur {path}",
    ar: 'الطريقة {method} غير مسموح بها على {path}',
    tzm: 'Tarrayt {method} ur tettusireg ara ɣef {path}',
  },
  UNAUTHORIZED: {
    en: 'Authentication required',
    fr: 'Authentification requise',
    ar: 'المصادقة مطلوبة',
    tzm: 'Asesteb yettwasra',
  },
  INVALID_TOKEN: {
    en: 'The token is invalid or expired',
    fr: 'Le jeton est invalide ou expiré',
    ar: 'الرمز غير صالح أو منتهي الصلاحية',
    tzm: 'Ajiṭun ur yelhi ara neɣ yekfa',
  },
  INVALID_CREDENTIALS: {
    en: 'Invalid username or password',
    fr: "Nom d'utilisateur ou mot de passe invalide",
    ar: 'اسم المستخدم أو كلمة المرور غير صحيحة',
    tzm: 'Isem n useqdac neɣ awal uffir ur yelhi ara',
  },
  FORBIDDEN: {
    en: 'You are not allowed to perform this action',
    fr: "Vous n'êtes pas autorisé à effectuer cette action",
    ar: 'غير مسموح لك بتنفيذ هذا الإجراء',
    tzm: 'Ur k-ittusireg ara ad tgeḍ tigawt-a',
  },
  RATE_LIMITED: {
    en: 'Too many requests, retry later',
    fr: 'Trop de requêtes, réessayez plus tard',
    ar: 'طلبات كثيرة جدًا، أعد المحاولة لاحقًا',
    tzm: 'Aṭas n isuturen, ɛreḍ tikkelt-nniḍen',
  },
  DEPENDENCY_UNAVAILABLE: {
    en: 'Dependency unavailable: {dependency}',
    fr: 'Dépendance indisponible : {dependency}',
    ar: 'التبعية غير متاحة: {dependency}',
    tzm: 'Ur yewjid ara: {dependency}',
  },
  INTERNAL_ERROR: {
    en: 'Internal server error',
    fr: 'Erreur interne du serveur',
    ar: 'خطأ داخلي في الخادم',
    tzm: 'Tuccḍa tagensant n uqeddac',
  },
  IDEMPOTENCY_KEY_REUSED: {
    en: 'This Idempotency-Key was already used with a different request',
    fr: 'Cette Idempotency-Key a déjà été utilisée avec une autre requête',
    ar: 'تم استخدام مفتاح Idempotency-Key هذا مسبقًا مع طلب مختلف',
    tzm: 'Idempotency-Key-a yettwaseqdec yakan d usuter nniḍen',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    en: 'A request with this Idempotency-Key is still in progress',
    fr: 'Une requête avec cette Idempotency-Key est encore en cours',
    ar: 'لا يزال طلب بهذا المفتاح قيد المعالجة',
    tzm: 'Asuter s Idempotency-Key-a mazal-it iteddu',
  },
  TASK_NOT_FOUND: {
    en: 'Task {id} not found',
    fr: 'Tâche {id} introuvable',
    ar: 'المهمة {id} غير موجودة',
    tzm: 'Ulac tawuri {id}',
  },
  NOT_FOUND: {
    en: 'Resource not found',
    fr: 'Ressource introuvable',
    ar: 'المورد غير موجود',
    tzm: 'Ulac aɣbalu',
  },
};

/** Picks the best supported locale from an Accept-Language header (q-values honoured). */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.tag && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0] as Locale;
    if ((LOCALES as readonly string[]).includes(primary)) return primary;
    // Tamazight is also tagged by its variants (zgh standard Moroccan, kab Kabyle, ber generic)
    if (['zgh', 'ber', 'kab', 'shi', 'rif'].includes(primary)) return 'tzm';
  }
  return 'en';
}

export function translate(key: string | undefined, locale: Locale, fallback: string, params: Record<string, string | number> = {}): string {
  const template = key ? MESSAGES[key]?.[locale] : undefined;
  if (!template) return fallback;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Codes that have a translation: exported for the test that checks every locale is complete. */
export const TRANSLATED_CODES = Object.keys(MESSAGES);
export const catalogFor = (code: string) => MESSAGES[code];
