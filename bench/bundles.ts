import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '..');

/** Builds every function of serverless.yml as serverless-esbuild does, then times a cold `require`. */
export async function measureBundles(runs = 5): Promise<{ fn: string; kb: number; initMs: number }[]> {
  const sls = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8').replace(/!(GetAtt|Sub|Join|Ref)\b/g, '')) as { functions: Record<string, { handler: string }> };
  const plugins = require(path.join(ROOT, 'build/esbuild-plugins.cjs'));
  const out = mkdtempSync(path.join(ROOT, '.esbuild-bench-'));
  const rows: { fn: string; kb: number; initMs: number }[] = [];
  try {
    for (const [fn, def] of Object.entries(sls.functions)) {
      const entry = def.handler.replace(/\.[^.]+$/, '.ts');
      const outfile = path.join(out, `${fn}.cjs`);
      await build({ entryPoints: [path.join(ROOT, entry)], bundle: true, minify: true, keepNames: true, platform: 'node', target: 'node22', format: 'cjs', external: ['@aws-sdk/*'], outfile, plugins, logLevel: 'error' });
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const ms = execFileSync(process.execPath, ['-e', `const t=performance.now();require(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t))`], {
          cwd: ROOT,
          env: { ...process.env, LOG_LEVEL: 'SILENT' },
        }).toString();
        times.push(Number(ms));
      }
      times.sort((a, b) => a - b);
      rows.push({ fn, kb: statSync(outfile).size / 1024, initMs: times[Math.floor(times.length / 2)]! });
    }
  } finally {
    execFileSync('rm', ['-rf', out]);
  }
  void os;
  return rows;
}
