import type { HttpMethod } from './types.js';

export interface CompiledPath {
  template: string;
  regex: RegExp;
  names: string[];
}

/** `/api/v1/tasks/{id}` → a regex; `{name+}` is greedy (spans slashes). */
export function compilePath(template: string): CompiledPath {
  const names: string[] = [];
  const pattern = template.replace(/[.*?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)(\+?)\}/g, (_m, name: string, greedy: string) => {
    names.push(name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { template, regex: new RegExp(`^${pattern}/?$`), names };
}

export function matchPath(compiled: CompiledPath, path: string): Record<string, string> | undefined {
  const m = compiled.regex.exec(path);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  compiled.names.forEach((name, i) => {
    const raw = m[i + 1] ?? '';
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      params[name] = raw;
    }
  });
  return params;
}

export interface RouteTableEntry {
  method: HttpMethod;
  path: string;
}

/** For a path no route of `method` serves: the methods that do serve it (405 + Allow), or none (404). */
export function allowedMethods(table: readonly RouteTableEntry[], path: string): HttpMethod[] {
  const methods = new Set<HttpMethod>();
  for (const entry of table) if (matchPath(compilePath(entry.path), path)) methods.add(entry.method);
  return [...methods].sort();
}
