import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DrpnetError } from '../errors';
import { initBackend } from './backend';

describe('initBackend (Node)', () => {
  it("'auto' picks wasm in Node, from node_modules", async () => {
    const r = await initBackend('auto');
    expect(r.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.threads).toBe(1);
  });

  it('can force cpu and come back to wasm', async () => {
    expect((await initBackend('cpu')).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initBackend('wasm')).backend).toBe('wasm');
  });

  it('forcing webgpu where there is none throws a model-error saying why', async () => {
    const err = await initBackend('webgpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrpnetError);
    expect((err as DrpnetError).code).toBe('model-error');
    expect((err as DrpnetError).message).toMatch(/webgpu.*navigator\.gpu/i);
    expect(tf.getBackend()).toBe('wasm');
  });
});
