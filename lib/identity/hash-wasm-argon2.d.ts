/**
 * hash-wasm's single-algorithm build (30 KB instead of the 216 KB index, whose top-level statements defeat
 * tree shaking). A UMD file without an __esModule flag: imported by default, it is the exports object.
 */
declare module 'hash-wasm/dist/argon2.umd.min.js' {
  import type { argon2id } from 'hash-wasm';
  const argon2: { argon2id: typeof argon2id };
  export default argon2;
}
