import * as tf from '@tensorflow/tfjs';

/**
 * The wasm backend's BatchMatMul is about 10x slower with transposeA or transposeB set
 * (128x128x128: 1.6 ms against 0.16 ms plain, DESIGN.md section 7), and backprop through
 * every matMul uses exactly those flags. We wrap the kernel: a transposed operand is first
 * materialised with the wasm Transpose kernel (~0.05 ms), then the fast plain kernel runs.
 * Results agree with the transposed kernel up to float32 rounding; one wrapper, every loss faster.
 */
let installed = false;

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Info = tf.TensorInfo;

export function installFastWasmMatMul(): boolean {
  if (installed) return true;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) return false;
  installed = true;
  const plain = original.kernelFunc;
  const transposeFn = transpose.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: (args: KernelArgs) => {
      const { inputs, backend, attrs } = args;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return plain(args);
      const swapLast = (x: Info): Info => {
        const r = x.shape.length;
        const perm = Array.from({ length: r }, (_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
        return transposeFn({ inputs: { x }, backend, attrs: { perm } }) as Info;
      };
      const a = inputs.a as Info;
      const b = inputs.b as Info;
      const a2 = transposeA ? swapLast(a) : a;
      const b2 = transposeB ? swapLast(b) : b;
      const out = plain({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      // The kernel runs on the active backend (wasm), which owns the transposed copies.
      if (a2 !== a) tf.backend().disposeData(a2.dataId);
      if (b2 !== b) tf.backend().disposeData(b2.dataId);
      return out;
    },
  });
  return true;
}
