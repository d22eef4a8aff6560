/**
 * KL(p || q) of two 2-D densities known at the nodes of a QuadratureGrid, by the trapezoidal rule of
 * quadrature.ts: each density is normalised by its own quadrature (pi_k = w_k p_k / sum w p), so the
 * result is the KL of the two discretised distributions, >= 0, exactly 0 when log p - log q is
 * constant on the grid, and it converges to the continuous KL at the rule's order. The halving check
 * (every other node) bounds its discretisation error as for log Z.
 */
import { checkQuadratureGrid, nodesPerSide, type QuadratureGrid } from './grid';
import { logSumExpSum, trapezoidLogWeights } from './quadrature';

export interface GridKl {
  /** KL(p || q) in nats, cells h. */
  kl: number;
  /** The same on every other node (cells 2h). */
  klCoarse: number;
  /** |kl - klCoarse|: the halving-check error bound. */
  klError: number;
  /** The quadrature mass of p itself, ∫_box p: 1 minus p's mass outside the box (and the rule's error) when p is normalised. */
  massOfP: number;
}

function discreteKl(logP: Float64Array, logQ: Float64Array, logW: Float64Array): { kl: number; logZp: number } {
  const logZp = logSumExpSum(logP, logW);
  const logZq = logSumExpSum(logQ, logW);
  if (!Number.isFinite(logZp) || !Number.isFinite(logZq)) return { kl: NaN, logZp };
  let s = 0;
  for (let k = 0; k < logP.length; k++) {
    const lw = logP[k] + logW[k];
    if (lw === -Infinity) continue; // 0 log 0 = 0
    const pi = Math.exp(lw - logZp);
    if (pi === 0) continue;
    s += pi * (logP[k] - logQ[k]); // +Infinity where q = 0 < p
  }
  return { kl: s - logZp + logZq, logZp };
}

/** logP, logQ: [(G + 1)^2] log-densities (any normalisation) at gridNodes(grid). */
export function gridKl(logP: Float64Array, logQ: Float64Array, grid: QuadratureGrid): GridKl {
  checkQuadratureGrid(grid, 'gridKl');
  const m = nodesPerSide(grid);
  if (logP.length !== m * m || logQ.length !== m * m) throw new Error(`gridKl: expected ${m * m} node values, got ${logP.length} and ${logQ.length}`);
  const w = trapezoidLogWeights(grid);
  const fine = discreteKl(logP, logQ, w.fine);
  const coarse = discreteKl(logP, logQ, w.coarse);
  return { kl: fine.kl, klCoarse: coarse.kl, klError: Math.abs(fine.kl - coarse.kl), massOfP: Math.exp(fine.logZp) };
}
