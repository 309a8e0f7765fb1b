import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The AWS SDK packages (external to the bundles, provided by the Lambda runtime) that a function's requests
 * load: `require`d on the first call that needs them, so the first such request of a cold container pays
 * for them on top of the module init. The functions read or write the table; Step Functions is only
 * reached by those that start or stop executions or check its health.
 */
const DYNAMODB_SDK = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];
const SFN_SDK = ['@aws-sdk/client-sfn'];
const REACHES_STEP_FUNCTIONS = new Set(['audit', 'tasks', 'platform']);
/** The fallback answers 404/405 from its route table alone: it never reaches a service. */
const REACHES_NO_SERVICE = new Set(['fallback']);
export const sdkOf = (fn: string) =>
  REACHES_NO_SERVICE.has(fn) ? [] : [...DYNAMODB_SDK, ...(REACHES_STEP_FUNCTIONS.has(fn) ? SFN_SDK : [])];

export interface BundleRow {
  fn: string;
  kb: number;
  /** Median cold `require` of the bundle alone (module init). */
  initMs: number;
  /** Median cold `require` of the bundle and then of the SDK packages its requests load (`sdk`). */
  initSdkMs: number;
  sdk: string[];
}

/** Median of `runs` fresh processes, each timing the `require` of `modules` in order. */
function coldRequireMs(modules: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ms = execFileSync(
      process.execPath,
      [
        '-e',
        `const t=performance.now();for(const m of ${JSON.stringify(modules)})require(m);process.stdout.write(String(performance.now()-t))`,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'SILENT' },
      },
    ).toString();
    times.push(Number(ms));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Builds every function of serverless.yml as serverless-esbuild does, then times a cold `require` of the
 * bundle (module init) and of the bundle plus the SDK packages its first request loads (init + SDK).
 */
export async function measureBundles(runs = 5): Promise<BundleRow[]> {
  const sls = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8').replace(/!(GetAtt|Sub|Join|Ref)\b/g, '')) as {
    functions: Record<string, { handler: string }>;
  };
  const plugins = require(path.join(ROOT, 'build/esbuild-plugins.cjs'));
  const out = mkdtempSync(path.join(ROOT, '.esbuild-bench-'));
  const rows: BundleRow[] = [];
  try {
    for (const [fn, def] of Object.entries(sls.functions)) {
      const entry = def.handler.replace(/\.[^.]+$/, '.ts');
      const outfile = path.join(out, `${fn}.cjs`);
      await build({
        entryPoints: [path.join(ROOT, entry)],
        bundle: true,
        minify: true,
        keepNames: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        external: ['@aws-sdk/*'],
        outfile,
        plugins,
        logLevel: 'error',
      });
      const sdk = sdkOf(fn);
      rows.push({
        fn,
        kb: statSync(outfile).size / 1024,
        initMs: coldRequireMs([outfile], runs),
        initSdkMs: coldRequireMs([outfile, ...sdk], runs),
        sdk,
      });
    }
  } finally {
    execFileSync('rm', ['-rf', out]);
  }
  void os;
  return rows;
}
