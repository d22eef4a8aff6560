import * as tf from '@tensorflow/tfjs';

/**
 * tfjs 4.22 computes the gradients of Tanh, Sigmoid, Exp, Elu and Pow (w.r.t. the exponent) from
 * the op's *saved output*. The saved output is a copy that is not connected to the gradient
 * tape, so a gradient of such a gradient (the weight gradient of a loss containing a Jacobian
 * trace or a Jacobian-vector product) silently drops every path through it: for
 * s(x) = tanh(x W), d/dW of tr(ds/dx) comes out with zero off-diagonal entries.
 *
 * We re-register these gradients so that they recompute from the op's *input*, which is on the
 * tape; first-order results are unchanged. `second-order-gradients.test.ts` checks nested
 * gradients of every activation against closed forms.
 */
let installed = false;

export function installSecondOrderGradients(): void {
  if (installed) return;
  installed = true;
  const quiet = silenceOverrideWarnings();
  try {
    tf.registerGradient({
      kernelName: 'Tanh',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => {
        const [x] = saved;
        return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) };
      },
    });
    tf.registerGradient({
      kernelName: 'Sigmoid',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => {
        const [x] = saved;
        return {
          x: () => {
            const s = tf.sigmoid(x);
            return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
          },
        };
      },
    });
    tf.registerGradient({
      kernelName: 'Exp',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => {
        const [x] = saved;
        return { x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) };
      },
    });
    tf.registerGradient({
      kernelName: 'Elu',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => {
        const [x] = saved;
        return { x: () => tf.mul(dy as tf.Tensor, eluDerivative(x)) };
      },
    });
    tf.registerGradient({
      kernelName: 'Pow',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved) => {
        const [a, b] = saved;
        const d = dy as tf.Tensor;
        return {
          a: () => reduceToShape(tf.mul(d, tf.mul(b, tf.pow(a, tf.sub(b, 1)))), a.shape),
          b: () => {
            const logA = tf.where(tf.greater(a, 0), tf.log(tf.maximum(a, 1e-38)), tf.zerosLike(a));
            return reduceToShape(tf.mul(d, tf.mul(tf.pow(a, b), logA)), b.shape);
          },
        };
      },
    });
  } finally {
    quiet();
  }
}

/**
 * elu'(x) = 1 for x > 0, exp(x) otherwise, written with `step` (which has a zero gradient)
 * rather than `where(greater(...))`, whose condition has no gradient in tfjs.
 */
export function eluDerivative(x: tf.Tensor): tf.Tensor {
  const up = tf.step(x);
  return tf.add(up, tf.mul(tf.sub(1, up), tf.exp(tf.minimum(x, 0))));
}

/** Sum a broadcast gradient back to the shape of the operand. */
function reduceToShape(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((v, i) => v === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return tf.reshape(axes.length ? tf.sum(g, axes) : g, shape);
}

function silenceOverrideWarnings(): () => void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Overriding the gradient')) return;
    warn(...args);
  };
  return () => {
    console.warn = warn;
  };
}
