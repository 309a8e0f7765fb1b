import { startDevStack } from '../test/helpers/dev-stack.js';

/** `npm run dev` from spawn to its first healthy answer (the stack prints "ready" only once healthy). */
export async function measureDevStart(): Promise<{ seconds: number }> {
  const t = performance.now();
  const stack = await startDevStack();
  const seconds = (performance.now() - t) / 1000;
  await stack.stop();
  return { seconds };
}
