import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { currentBackend, selectBackend } from './backend';

describe('backend selection', () => {
  it('without native bindings installed, the default is wasm', async () => {
    expect(await selectBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(currentBackend()).toBe('wasm');
  });

  it('forcing a backend switches to it; unknown or missing ones fail clearly', async () => {
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(selectBackend('gpu')).rejects.toThrow(/unknown backend 'gpu': expected one of tensorflow-gpu, tensorflow, wasm, cpu/);
    await expect(selectBackend('tensorflow')).rejects.toThrow(/npm install @tensorflow\/tfjs-node/);
    expect(await selectBackend('wasm')).toBe('wasm');
  });
});
