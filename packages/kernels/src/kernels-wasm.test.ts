import { describe, expect, it } from 'vitest';
import { compileKernels, generatedModule, GENERATED_MODULE } from '../scripts/compile-kernels';
import { readFileSync } from 'node:fs';
import { KERNELS_WASM_BASE64 } from './kernels-wasm';
import { instantiateKernels, kernelsSupported } from './kernel-module';

describe('the committed kernels', () => {
  it('are the build of assembly/ (rebuild: npx tsx packages/kernels/scripts/build-kernels.ts)', async () => {
    const binary = await compileKernels();
    expect(readFileSync(GENERATED_MODULE, 'utf8'), 'src/kernels-wasm.ts is stale').toBe(generatedModule(binary));
    expect(KERNELS_WASM_BASE64).toBe(Buffer.from(binary).toString('base64'));
  });

  it('instantiate from bytes with no imports, each with its own memory', () => {
    expect(kernelsSupported()).toBe(true);
    const a = instantiateKernels();
    const b = instantiateKernels();
    expect(a.memory).not.toBe(b.memory);
    expect(a.heapBase()).toBeGreaterThan(0);
  });
});
