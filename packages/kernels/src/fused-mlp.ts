/**
 * A fully fused MLP (tiny-cuda-nn's idea, on wasm SIMD): the weights, Adam moments and every activation
 * buffer live in one wasm instance's memory, and a training step is a few kernel calls per layer
 * (product, bias, activation with tangents; weight gradient, input gradient, activation backward) plus
 * one loss and one optimiser call, with no tensor library in between.
 *
 * Network: f(h_0) with h_0 = [x, extra columns] ([N, F0], F0 = widths[0]), z_l = h_{l-1} W_l + b_l,
 * h_l = act(z_l), output z_{L+1} ([N, D]), divided row-wise by `scale` when given. Forward-mode tangents
 * v ([N, D], acting on the first `tangentDim` = D input columns) follow t_l = u_{l-1} W_l, u_l = act'(z_l) t_l;
 * the K tangent blocks are stacked under the primal rows ([(1 + K) N, w] per layer), so one product serves
 * all of them. Weights use tfjs's layout: W_l [in, out] row-major, then b_l [out].
 */
import type { MlpModelSpec } from '@scorelab/config';
import { instantiateKernels, type KernelExports } from './kernel-module';

export type Activation = MlpModelSpec['activation'];

/** Kernel codes of the activations (assembly/activations.ts). */
const ACTIVATION_CODE: Record<Activation, number> = { softplus: 0, swish: 1, elu: 2, relu: 3, tanh: 4 };

export interface FusedMlpSpec {
  /** [F0, hidden..., D]: input width (data columns first, then condition columns), hidden widths, output width. */
  widths: readonly number[];
  activation: Activation;
}

/** The objective on the network output s (after the scale) and its tangents; L = (1/N) sum_n lambda_n term_n. */
export type FusedObjective =
  /** 1/2 ||s + target||^2, target = z / std: [N, D]. */
  | { kind: 'dsm'; target: Float32Array }
  /** tr(ds/dx) + 1/2 ||s||^2 from the D basis tangents. */
  | { kind: 'sm' }
  /** (1/M) sum_m [v_m^T J v_m + 1/2 (v_m . s)^2] (ssm) or (1/M) sum_m v_m^T J v_m + 1/2 ||s||^2 (ssm-vr); projections [M, N, D]. */
  | { kind: 'ssm' | 'ssm-vr'; projections: Float32Array; count: number };

export interface FusedBatch {
  n: number;
  /** [N, F0]: the (perturbed) data, then the condition columns. */
  input: Float32Array;
  /** [N] divisor of each output row, or null. */
  scale: Float32Array | null;
  /** [N] lambda_n, or null for weight 1. */
  weight: Float32Array | null;
  objective: FusedObjective;
}

export type FusedOptimizer = { kind: 'adam'; lr: number; beta1: number; beta2: number; eps: number } | { kind: 'sgd'; lr: number };

export interface FusedStepResult {
  loss: number;
  /** Squared global L2 norm of the weight gradient (before the update). */
  gradSq: number;
}

const ALIGN = 16;
const PAGE = 65536;
/** Output widths below this use dot products along the inner dimension instead of the 4 x 8 tiles. */
const NARROW = 8;
/**
 * Rows per pass of a weight gradient A^T G: each 4 x 8 tile reads a 16- and a 32-byte piece of every row,
 * so the rows are taken in blocks whose A and G panels stay in cache (3x faster at batch 1024, width 256).
 */
const GRADIENT_ROW_BLOCK = 128;

interface Layer {
  inW: number;
  outW: number;
  /** Byte offsets of W, b in the params block, of dW, db in the grads block, of W^T. */
  w: number;
  b: number;
  dw: number;
  db: number;
  wt: number;
  /** Offset of this layer's first weight in the flat vector. */
  index: number;
}

interface Workspace {
  n: number;
  k: number;
  input: number;
  aux: number;
  scale: number;
  weight: number;
  /** Per hidden layer: Z [(1 + k) n, w] (pre-activations; tangent blocks hold t), H [(1 + k) n, w], D1, D2 [n, w]. */
  z: number[];
  h: number[];
  d1: number[];
  d2: number[];
  out: number;
  g1: number;
  g2: number;
  /** Whether the current inputs came with a scale. */
  scaleGiven: boolean;
}

export class FusedMlp {
  readonly widths: readonly number[];
  readonly activation: Activation;
  /** Number of scalar weights. */
  readonly size: number;
  private readonly k: KernelExports;
  private readonly layers: Layer[];
  private readonly params: number;
  private readonly grads: number;
  private readonly m: number;
  private readonly v: number;
  private readonly dwtScratch: number;
  private readonly fixedEnd: number;
  private work: Workspace | null = null;
  private adamSteps = 0;
  private disposed = false;

  constructor(spec: FusedMlpSpec) {
    const { widths, activation } = spec;
    if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`FusedMlp: widths must be positive integers, got [${widths}]`);
    if (!(activation in ACTIVATION_CODE)) throw new Error(`FusedMlp: unknown activation ${activation}`);
    this.widths = widths.slice();
    this.activation = activation;
    this.k = instantiateKernels();
    let size = 0;
    let wtSize = 0;
    let scratch = 0;
    const shapes = widths.slice(0, -1).map((inW, l) => {
      const outW = widths[l + 1];
      const index = size;
      size += inW * outW + outW;
      wtSize += inW * outW;
      if (outW < NARROW) scratch = Math.max(scratch, inW * outW);
      return { inW, outW, index };
    });
    this.size = size;
    let at = align(this.k.heapBase());
    const take = (bytes: number) => {
      const p = at;
      at = align(at + bytes);
      return p;
    };
    this.params = take(4 * size);
    this.grads = take(4 * size);
    this.m = take(8 * size);
    this.v = take(8 * size);
    const wtBase = take(4 * wtSize);
    this.dwtScratch = take(4 * Math.max(scratch, 1));
    this.fixedEnd = at;
    let wtAt = wtBase;
    this.layers = shapes.map(({ inW, outW, index }) => {
      const layer: Layer = { inW, outW, index, w: this.params + 4 * index, b: this.params + 4 * (index + inW * outW), dw: this.grads + 4 * index, db: this.grads + 4 * (index + inW * outW), wt: wtAt };
      wtAt += 4 * inW * outW;
      return layer;
    });
    this.ensureMemory(this.fixedEnd);
  }

  /** Bytes of the instance's linear memory (it grows to the largest batch and tangent count seen, then stays). */
  get memoryBytes(): number {
    return this.k.memory.buffer.byteLength;
  }

  get inputDim(): number {
    return this.widths[0];
  }

  get outputDim(): number {
    return this.widths[this.widths.length - 1];
  }

  /** Set the weights from tfjs-layout arrays [W_1, b_1, W_2, b_2, ...]; resets the optimiser state. */
  setParams(values: readonly ArrayLike<number>[]): void {
    this.check();
    if (values.length !== 2 * this.layers.length) throw new Error(`FusedMlp.setParams: expected ${2 * this.layers.length} arrays, got ${values.length}`);
    const flat = this.f32(this.params, this.size);
    this.layers.forEach((layer, l) => {
      const w = values[2 * l];
      const b = values[2 * l + 1];
      if (w.length !== layer.inW * layer.outW || b.length !== layer.outW) throw new Error(`FusedMlp.setParams: layer ${l + 1} expects ${layer.inW}x${layer.outW} weights and ${layer.outW} biases`);
      flat.set(w, layer.index);
      flat.set(b, layer.index + layer.inW * layer.outW);
    });
    this.f64(this.m, this.size).fill(0);
    this.f64(this.v, this.size).fill(0);
    this.adamSteps = 0;
    this.refreshTransposes();
  }

  /** Copies of the weights in tfjs layout [W_1, b_1, ...]. */
  readParams(): Float32Array[] {
    this.check();
    const flat = this.f32(this.params, this.size);
    return this.layers.flatMap((layer) => [flat.slice(layer.index, layer.index + layer.inW * layer.outW), flat.slice(layer.index + layer.inW * layer.outW, layer.index + layer.inW * layer.outW + layer.outW)]);
  }

  /** Copies of the last computed weight gradient, in the layout of readParams. */
  readGradients(): Float32Array[] {
    this.check();
    const flat = this.f32(this.grads, this.size);
    return this.layers.flatMap((layer) => [flat.slice(layer.index, layer.index + layer.inW * layer.outW), flat.slice(layer.index + layer.inW * layer.outW, layer.index + layer.inW * layer.outW + layer.outW)]);
  }

  /** Adam's step count and first and second moments, per weight tensor in the layout of readParams (copies). */
  readOptimizerState(): { steps: number; m: Float64Array[]; v: Float64Array[] } {
    this.check();
    const m = this.f64(this.m, this.size);
    const v = this.f64(this.v, this.size);
    const split = (flat: Float64Array) => this.layers.flatMap((l) => [flat.slice(l.index, l.index + l.inW * l.outW), flat.slice(l.index + l.inW * l.outW, l.index + l.inW * l.outW + l.outW)]);
    return { steps: this.adamSteps, m: split(m), v: split(v) };
  }

  /** Continue Adam from readOptimizerState() (call after setParams, which resets the state). */
  writeOptimizerState(state: { steps: number; m: readonly ArrayLike<number>[]; v: readonly ArrayLike<number>[] }): void {
    this.check();
    if (!(Number.isInteger(state.steps) && state.steps >= 0)) throw new Error(`FusedMlp.writeOptimizerState: steps must be an integer >= 0, got ${state.steps}`);
    const sizes = this.layers.flatMap((l) => [l.inW * l.outW, l.outW]);
    const fits = (arrays: readonly ArrayLike<number>[]) => arrays.length === sizes.length && arrays.every((a, k) => a.length === sizes[k]);
    if (!fits(state.m) || !fits(state.v)) throw new Error(`FusedMlp.writeOptimizerState: moments do not match the weights (sizes [${sizes}])`);
    for (const [ptr, arrays] of [
      [this.m, state.m],
      [this.v, state.v],
    ] as const) {
      const flat = this.f64(ptr, this.size);
      let at = 0;
      arrays.forEach((a) => {
        flat.set(a, at);
        at += a.length;
      });
    }
    this.adamSteps = state.steps;
  }

  /** Forward-only batch evaluation: input [N, F0], scale [N] or null -> output [N, D] (a copy). */
  forward(input: Float32Array, n: number, scale: Float32Array | null): Float32Array {
    this.check();
    const ws = this.workspace(n, 0);
    this.writeInputs(ws, input, scale, null);
    this.forwardPass(ws, 'none');
    return this.f32(ws.out, n * this.outputDim).slice();
  }

  /** The objective's value and weight gradient (readGradients), without an update. */
  lossAndGradients(batch: FusedBatch): number {
    this.check();
    const { n, objective } = batch;
    const d = this.outputDim;
    if (this.widths[0] < d) throw new Error(`FusedMlp: input width ${this.widths[0]} is smaller than the data dimension ${d}`);
    const k = objective.kind === 'dsm' ? 0 : objective.kind === 'sm' ? d : objective.count;
    if (objective.kind === 'ssm' || objective.kind === 'ssm-vr') {
      if (!(Number.isInteger(objective.count) && objective.count >= 1)) throw new Error(`FusedMlp: projections must be an integer >= 1, got ${objective.count}`);
      if (objective.projections.length !== k * n * d) throw new Error(`FusedMlp: expected ${k} x ${n} x ${d} projections, got ${objective.projections.length}`);
    }
    if (objective.kind === 'dsm' && objective.target.length !== n * d) throw new Error(`FusedMlp: dsm target must be [${n}, ${d}]`);
    const ws = this.workspace(n, k);
    const aux = objective.kind === 'dsm' ? objective.target : objective.kind === 'sm' ? null : objective.projections;
    this.writeInputs(ws, batch.input, batch.scale, aux);
    if (batch.weight) {
      if (batch.weight.length !== n) throw new Error(`FusedMlp: weight must have ${n} entries`);
      this.f32(ws.weight, n).set(batch.weight);
    }
    this.forwardPass(ws, objective.kind === 'dsm' ? 'none' : objective.kind === 'sm' ? 'basis' : 'given');
    const kx = this.k;
    const lambda = batch.weight ? ws.weight : 0;
    const scale = batch.scale ? ws.scale : 0;
    let loss: number;
    switch (objective.kind) {
      case 'dsm':
        loss = kx.lossDsm(ws.out, ws.aux, lambda, scale, ws.g1, n, d);
        break;
      case 'sm':
        loss = kx.lossSm(ws.out, lambda, scale, ws.g1, n, d);
        break;
      case 'ssm':
      case 'ssm-vr':
        loss = kx.lossSsm(ws.out, ws.aux, lambda, scale, ws.g1, n, d, k, objective.kind === 'ssm-vr' ? 1 : 0);
        break;
    }
    this.backwardPass(ws, objective.kind === 'dsm' ? 'none' : objective.kind === 'sm' ? 'basis' : 'given');
    return loss;
  }

  /** One training step: loss, gradient, update. */
  step(batch: FusedBatch, optimizer: FusedOptimizer): FusedStepResult {
    const loss = this.lossAndGradients(batch);
    return { loss, gradSq: this.update(optimizer) };
  }

  /** Apply the optimiser to the last gradient; returns its squared norm. */
  update(optimizer: FusedOptimizer): number {
    this.check();
    let gradSq: number;
    switch (optimizer.kind) {
      case 'adam': {
        this.adamSteps++;
        const { beta1: b1, beta2: b2 } = optimizer;
        // As JsAdam: bias corrections from Math.pow in f64.
        const c1 = 1 - Math.pow(b1, this.adamSteps);
        const c2 = 1 - Math.pow(b2, this.adamSteps);
        gradSq = this.k.adam(this.params, this.grads, this.m, this.v, this.size, optimizer.lr, b1, b2, optimizer.eps, c1, c2);
        break;
      }
      case 'sgd':
        gradSq = this.k.sgd(this.params, this.grads, this.size, Math.fround(optimizer.lr));
        break;
    }
    this.refreshTransposes();
    return gradSq;
  }

  dispose(): void {
    // The instance and its memory are garbage-collected once unreferenced; mark it unusable.
    this.disposed = true;
    this.work = null;
  }

  // --- passes -------------------------------------------------------------------------------------

  private forwardPass(ws: Workspace, tangents: 'none' | 'given' | 'basis'): void {
    const kx = this.k;
    const { n } = ws;
    const k = tangents === 'none' ? 0 : ws.k;
    const last = this.layers.length - 1;
    const d = this.outputDim;
    const code = ACTIVATION_CODE[this.activation];
    let a = ws.input;
    let lda = this.widths[0];
    for (let l = 0; l <= last; l++) {
      const layer = this.layers[l];
      const out = l < last ? ws.z[l] : ws.out;
      const o = layer.outW;
      if (l === 0) {
        this.product(a, lda, n, layer.inW, layer, out);
        if (tangents === 'given') this.product(ws.aux, d, k * n, d, layer, out + 4 * n * o);
        if (tangents === 'basis') kx.basisTangents(layer.w, out, n, d, o);
      } else {
        this.product(a, lda, (1 + k) * n, layer.inW, layer, out);
      }
      kx.addBias(out, layer.b, n, o);
      if (l < last) {
        kx.activateForward(code, out, ws.h[l], ws.d1[l], ws.d2[l], n, o, k);
        a = ws.h[l];
        lda = o;
      }
    }
    if (ws.scaleGiven) kx.divideRows(ws.out, ws.scale, n, k, d);
  }

  private backwardPass(ws: Workspace, tangents: 'none' | 'given' | 'basis'): void {
    const kx = this.k;
    const { n } = ws;
    const k = tangents === 'none' ? 0 : ws.k;
    const d = this.outputDim;
    let g = ws.g1;
    let spare = ws.g2;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const o = layer.outW;
      if (l === 0) {
        this.weightGradient(ws.input, this.widths[0], n, g, layer, false);
        if (tangents === 'given') this.weightGradient(ws.aux, d, k * n, g + 4 * n * o, layer, true, d);
        if (tangents === 'basis') kx.basisGradient(g, layer.dw, n, d, o);
      } else {
        this.weightGradient(ws.h[l - 1], layer.inW, (1 + k) * n, g, layer, false);
      }
      kx.columnSums(g, n, o, layer.db, 0);
      if (l > 0) {
        this.inputGradient(g, (1 + k) * n, layer, spare);
        kx.activateBackward(spare, ws.z[l - 1], ws.d1[l - 1], ws.d2[l - 1], n, layer.inW, k);
        [g, spare] = [spare, g];
      }
    }
  }

  /** c[rows, O] = a[rows, I] W (I <= layer.inW: the first I rows of W). */
  private product(a: number, lda: number, rows: number, inner: number, layer: Layer, c: number): void {
    const o = layer.outW;
    if (o >= NARROW) this.k.tiledProduct(a, lda, 1, layer.w, o, c, o, rows, inner, o, 0);
    else this.k.dotProduct(a, lda, layer.wt, layer.inW, c, o, rows, inner, o);
  }

  /** dW[0:inner, :] (+)= a[rows, inner]^T g[rows, O]. */
  private weightGradient(a: number, lda: number, rows: number, g: number, layer: Layer, acc: boolean, inner = layer.inW): void {
    const o = layer.outW;
    if (o >= NARROW) {
      for (let r = 0; r < rows; r += GRADIENT_ROW_BLOCK) {
        const block = Math.min(GRADIENT_ROW_BLOCK, rows - r);
        this.k.tiledProduct(a + 4 * r * lda, 1, lda, g + 4 * r * o, o, layer.dw, o, inner, block, o, acc || r > 0 ? 1 : 0);
      }
    } else {
      // dW^T [O, inner] = g^T a, then transposed into dW (few output columns: vectorise along inner).
      this.k.tiledProduct(g, 1, o, a, lda, this.dwtScratch, inner, o, rows, inner, 0);
      this.k.transpose(this.dwtScratch, layer.dw, o, inner, acc ? 1 : 0);
    }
  }

  /** out[rows, I] = g[rows, O] W^T. */
  private inputGradient(g: number, rows: number, layer: Layer, out: number): void {
    const { inW, outW } = layer;
    if (inW >= NARROW) this.k.tiledProduct(g, outW, 1, layer.wt, inW, out, inW, rows, outW, inW, 0);
    else this.k.dotProduct(g, outW, layer.w, outW, out, inW, rows, outW, inW);
  }

  private refreshTransposes(): void {
    for (const layer of this.layers) this.k.transpose(layer.w, layer.wt, layer.inW, layer.outW, 0);
  }

  // --- memory -------------------------------------------------------------------------------------

  private writeInputs(ws: Workspace, input: Float32Array, scale: Float32Array | null, aux: Float32Array | null): void {
    const { n } = ws;
    if (input.length !== n * this.widths[0]) throw new Error(`FusedMlp: input must be [${n}, ${this.widths[0]}], got ${input.length} values`);
    this.f32(ws.input, input.length).set(input);
    if (scale) {
      if (scale.length !== n) throw new Error(`FusedMlp: scale must have ${n} entries`);
      this.f32(ws.scale, n).set(scale);
    }
    ws.scaleGiven = scale !== null;
    if (aux) this.f32(ws.aux, aux.length).set(aux);
  }

  private workspace(n: number, k: number): Workspace {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`FusedMlp: batch size must be a positive integer, got ${n}`);
    const current = this.work;
    if (current && current.n === n && current.k === k) return current;
    const d = this.outputDim;
    const rows = (1 + k) * n;
    let at = this.fixedEnd;
    const take = (floats: number) => {
      const p = at;
      at = align(at + 4 * Math.max(floats, 1));
      return p;
    };
    const hidden = this.widths.slice(1, -1);
    const maxW = Math.max(...this.widths);
    const ws: Workspace = {
      n,
      k,
      input: take(n * this.widths[0]),
      aux: take(Math.max(k, 1) * n * d),
      scale: take(n),
      weight: take(n),
      z: hidden.map((w) => take(rows * w)),
      h: hidden.map((w) => take(rows * w)),
      d1: hidden.map((w) => take(n * w)),
      d2: hidden.map((w) => take(n * w)),
      out: take(rows * d),
      g1: take(rows * maxW),
      g2: take(rows * maxW),
      scaleGiven: false,
    };
    this.ensureMemory(at);
    this.work = ws;
    return ws;
  }

  private ensureMemory(bytes: number): void {
    const { memory } = this.k;
    const have = memory.buffer.byteLength;
    if (bytes <= have) return;
    try {
      memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      const mb = (b: number) => `${Math.ceil(b / 2 ** 20)} MB`;
      throw new Error(`FusedMlp: this batch needs ${mb(bytes)} of wasm memory and only ${mb(have)} could be had (wasm32 allows at most 4096 MB); use a smaller batch or model.engine: tfjs`);
    }
  }

  private f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, length);
  }

  private f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, ptr, length);
  }

  private check(): void {
    if (this.disposed) throw new Error('FusedMlp: used after dispose()');
  }
}

function align(p: number): number {
  return Math.ceil(p / ALIGN) * ALIGN;
}
