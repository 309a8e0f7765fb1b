import type { HttpResult } from './types.js';

export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({ status: 200, body, headers });
export const created = (body: unknown, location?: string): HttpResult => ({
  status: 201,
  body,
  headers: location ? { Location: location } : undefined,
});
export const noContent = (): HttpResult => ({ status: 204 });

/** 202 for long-running work: the resource in a transitional state plus its task, and a Location header. */
export function accepted<T extends object>(resource: T, task: { id: string; status: string }): HttpResult {
  const href = `/api/v1/tasks/${task.id}`;
  return {
    status: 202,
    body: { ...resource, task: { id: task.id, status: task.status, href } },
    headers: { Location: href },
  };
}
