import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installSecondOrderGradients } from './second-order-gradients';
import { installFastWasmMatMul } from './wasm-matmul';

/** Backends in the order Scorelab tries them (DESIGN.md section 2). */
export const BACKEND_ORDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(name);
}

// The native bindings are optional: they download libtensorflow when they install, so they are
// never dependencies. A user adds one with `npm install @tensorflow/tfjs-node` and we pick it up.
const NATIVE_PACKAGE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let current: BackendName | null = null;

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<boolean> {
  try {
    const pkg = NATIVE_PACKAGE[name];
    await import(/* @vite-ignore */ pkg);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function trySet(name: BackendName): Promise<boolean> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow') return tryNative(name);
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok;
  } catch {
    return false;
  }
}

/**
 * Select the tensor backend: the forced one when `force` is given (an error if it cannot load),
 * otherwise the first of BACKEND_ORDER that loads. Returns the name to record on a run.
 */
export async function selectBackend(force?: string): Promise<BackendName> {
  installSecondOrderGradients();
  installFastWasmMatMul();
  if (force !== undefined) {
    if (!isBackendName(force)) throw new Error(`unknown backend '${force}': expected one of ${BACKEND_ORDER.join(', ')}`);
    if (current === force && tf.getBackend() === backendRegistryName(force)) return force;
    if (!(await trySet(force))) {
      const hint = force === 'wasm' || force === 'cpu' ? '' : ` (install it with: npm install ${NATIVE_PACKAGE[force]})`;
      throw new Error(`backend '${force}' is not available${hint}`);
    }
    current = force;
    return force;
  }
  if (current !== null) return current;
  for (const name of BACKEND_ORDER) {
    if (await trySet(name)) {
      current = name;
      return name;
    }
  }
  throw new Error('no tensorflow.js backend could be loaded');
}

/** The backend selected so far, or null before selectBackend ran. */
export function currentBackend(): BackendName | null {
  return current;
}

function backendRegistryName(name: BackendName): string {
  return name === 'tensorflow-gpu' ? 'tensorflow' : name;
}
