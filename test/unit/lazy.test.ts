import { describe, expect, it, vi } from 'vitest';
import { lazy, lazyClient } from '../../lib/core/lazy.js';

describe('lazy', () => {
  it('runs the factory once, on first call, and retries after a failure', async () => {
    const make = vi.fn().mockRejectedValueOnce(new Error('boom')).mockResolvedValue(42);
    const get = lazy(make);
    expect(make).not.toHaveBeenCalled();
    await expect(get()).rejects.toThrow('boom');
    expect(await get()).toBe(42);
    expect(await get()).toBe(42);
    expect(make).toHaveBeenCalledTimes(2);
  });

  it('creates a client on its first send only, and destroys it only if created', async () => {
    const client = { send: vi.fn(async (cmd: string) => `sent ${cmd}`), destroy: vi.fn() };
    const create = vi.fn(async () => client);
    const c = lazyClient(create);
    c.destroy();
    expect(create).not.toHaveBeenCalled();
    expect(client.destroy).not.toHaveBeenCalled();
    expect(await c.send('a')).toBe('sent a');
    expect(await c.send('b')).toBe('sent b');
    expect(create).toHaveBeenCalledTimes(1);
    c.destroy();
    expect(client.destroy).toHaveBeenCalledTimes(1);
  });
});
