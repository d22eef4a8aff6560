/**
 * The compiled kernels (src/kernels-wasm.ts, built from ../assembly) as a WebAssembly module, compiled once
 * from bytes and instantiated per network, so every network owns its linear memory. No file system: the
 * same code runs in Node and in a browser (synchronous compilation is allowed there in Web Workers).
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm';

/** Pointers are byte offsets into the instance's memory; booleans are passed as 0 / 1. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  tiledProduct(a: number, ars: number, aks: number, b: number, ldb: number, c: number, ldc: number, rows: number, inner: number, cols: number, acc: number): void;
  dotProduct(a: number, lda: number, bt: number, ldbt: number, c: number, ldc: number, rows: number, inner: number, cols: number): void;
  transpose(src: number, dst: number, rows: number, cols: number, acc: number): void;
  addBias(z: number, b: number, n: number, w: number): void;
  activateForward(kind: number, z: number, h: number, d1: number, d2: number, n: number, w: number, k: number): void;
  activateBackward(g: number, z: number, d1: number, d2: number, n: number, w: number, k: number): void;
  columnSums(g: number, n: number, w: number, db: number, acc: number): void;
  basisTangents(w1: number, z: number, n: number, d: number, w: number): void;
  basisGradient(g: number, dw1: number, n: number, d: number, w: number): void;
  divideRows(out: number, scale: number, n: number, k: number, d: number): void;
  lossDsm(out: number, target: number, lambda: number, scale: number, g: number, n: number, d: number): number;
  lossSm(out: number, lambda: number, scale: number, g: number, n: number, d: number): number;
  lossSsm(out: number, v: number, lambda: number, scale: number, g: number, n: number, d: number, m: number, vr: number): number;
  adam(p: number, g: number, m: number, v: number, count: number, lr: number, b1: number, b2: number, eps: number, c1: number, c2: number): number;
  sgd(p: number, g: number, count: number, lr: number): number;
}

let compiled: WebAssembly.Module | null = null;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The kernels' module, compiled on first use. */
export function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
  return compiled;
}

/** The functions KernelExports names: what a module must export to be the kernels (checked when instantiated). */
const KERNEL_FUNCTIONS = [
  'heapBase',
  'tiledProduct',
  'dotProduct',
  'transpose',
  'addBias',
  'activateForward',
  'activateBackward',
  'columnSums',
  'basisTangents',
  'basisGradient',
  'divideRows',
  'lossDsm',
  'lossSm',
  'lossSsm',
  'adam',
  'sgd',
] as const satisfies readonly Exclude<keyof KernelExports, 'memory'>[];

function isKernelExports(e: WebAssembly.Exports): e is WebAssembly.Exports & KernelExports {
  return e.memory instanceof WebAssembly.Memory && KERNEL_FUNCTIONS.every((name) => typeof e[name] === 'function');
}

/** A fresh instance with its own memory. */
export function instantiateKernels(): KernelExports {
  const { exports } = new WebAssembly.Instance(kernelModule(), {});
  if (!isKernelExports(exports)) throw new Error(`the kernels' wasm module lacks some of ${KERNEL_FUNCTIONS.join(', ')} (stale build? npx tsx packages/kernels/scripts/build-kernels.ts)`);
  return exports;
}

/** Whether this JavaScript engine runs wasm SIMD (v128): the fused engine needs it. */
export function kernelsSupported(): boolean {
  try {
    kernelModule();
    return true;
  } catch {
    return false;
  }
}
