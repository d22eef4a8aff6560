// Test support (not exported): the fused MLP's objectives written out plainly in float64 — a forward pass
// with tangents by finite-dimensional loops, no shared code with the kernels — so their weight gradient
// can be checked against central finite differences of this function.
import type { Activation, FusedBatch } from './fused-mlp';

function act(kind: Activation, z: number): [number, number] {
  switch (kind) {
    case 'softplus': {
      const s = 1 / (1 + Math.exp(-z));
      return [Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))), s];
    }
    case 'swish': {
      const s = 1 / (1 + Math.exp(-z));
      return [z * s, s + z * s * (1 - s)];
    }
    case 'elu':
      return z > 0 ? [z, 1] : [Math.expm1(z), Math.exp(z)];
    case 'relu':
      return [Math.max(z, 0), z > 0 ? 1 : 0];
    case 'tanh': {
      const t = Math.tanh(z);
      return [t, 1 - t * t];
    }
  }
}

/** s: [N][D] and the tangent outputs J v_k: [K][N][D] of the MLP with weights `params` (tfjs layout). */
export function forward64(widths: readonly number[], activation: Activation, params: readonly ArrayLike<number>[], input: ArrayLike<number>, n: number, scale: ArrayLike<number> | null, tangents: number[][][]) {
  const d = widths[widths.length - 1];
  const layers = widths.length - 1;
  const s: number[][] = [];
  const jv: number[][][] = tangents.map(() => []);
  for (let r = 0; r < n; r++) {
    let h = Array.from({ length: widths[0] }, (_, i) => input[r * widths[0] + i]);
    let us = tangents.map((t) => [...t[r], ...new Array(widths[0] - d).fill(0)]);
    for (let l = 0; l < layers; l++) {
      const outW = widths[l + 1];
      const W = params[2 * l];
      const b = params[2 * l + 1];
      const z = Array.from({ length: outW }, (_, o) => h.reduce((acc, hv, i) => acc + hv * W[i * outW + o], b[o]));
      const ts = us.map((u) => Array.from({ length: outW }, (_, o) => u.reduce((acc, uv, i) => acc + uv * W[i * outW + o], 0)));
      if (l === layers - 1) {
        h = z;
        us = ts;
      } else {
        const a = z.map((v) => act(activation, v));
        h = a.map((p) => p[0]);
        us = ts.map((t) => t.map((v, o) => a[o][1] * v));
      }
    }
    const c = scale ? scale[r] : 1;
    s.push(h.map((v) => v / c));
    us.forEach((u, k) => jv[k].push(u.map((v) => v / c)));
  }
  return { s, jv };
}

/** The objective of a FusedBatch in float64. */
export function loss64(widths: readonly number[], activation: Activation, params: readonly ArrayLike<number>[], batch: FusedBatch): number {
  const { n, objective } = batch;
  const d = widths[widths.length - 1];
  let tangents: number[][][] = [];
  if (objective.kind === 'sm') tangents = Array.from({ length: d }, (_, i) => Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))));
  if (objective.kind === 'ssm' || objective.kind === 'ssm-vr') {
    tangents = Array.from({ length: objective.count }, (_, k) => Array.from({ length: n }, (_, r) => Array.from({ length: d }, (_, j) => objective.projections[(k * n + r) * d + j])));
  }
  const { s, jv } = forward64(widths, activation, params, batch.input, n, batch.scale, tangents);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const sq = s[r].reduce((acc, v) => acc + v * v, 0);
    let term: number;
    switch (objective.kind) {
      case 'dsm':
        term = 0.5 * s[r].reduce((acc, v, j) => acc + (v + objective.target[r * d + j]) ** 2, 0);
        break;
      case 'sm':
        term = jv.reduce((acc, block, i) => acc + block[r][i], 0) + 0.5 * sq;
        break;
      case 'ssm':
      case 'ssm-vr': {
        let q = 0;
        let half = 0;
        tangents.forEach((t, k) => {
          q += t[r].reduce((acc, v, j) => acc + v * jv[k][r][j], 0);
          half += 0.5 * t[r].reduce((acc, v, j) => acc + v * s[r][j], 0) ** 2;
        });
        const m = tangents.length;
        term = q / m + (objective.kind === 'ssm' ? half / m : 0.5 * sq);
        break;
      }
    }
    total += (batch.weight ? batch.weight[r] : 1) * term;
  }
  return total / n;
}
