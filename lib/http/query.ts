/**
 * Query parameters from the raw query string: API Gateway joins repeated parameters with commas in
 * `queryStringParameters`, which would corrupt filter values that contain one.
 */
export function parseQuery(rawQueryString: string | undefined, fallback?: Record<string, string | undefined>) {
  const out: Record<string, string | string[]> = {};
  if (rawQueryString === undefined) {
    for (const [k, v] of Object.entries(fallback ?? {})) if (v !== undefined) out[k] = v;
    return out;
  }
  for (const [k, v] of new URLSearchParams(rawQueryString)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
