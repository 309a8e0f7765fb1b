import type { HttpResponse } from '../types.js';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  if (status === 204 || body === undefined) return { statusCode: status, headers: { ...headers }, body: '' };
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
