/**
 * The binary encoding of a training checkpoint: the trainer's state (weights, Adam's step counts and
 * moments, steps done) and the position of every random stream of the run, so that training continues
 * from it with the same numbers as without the interruption. No Node API (DataView, typed arrays only).
 *
 * Layout (little-endian; docs/store.md#checkpoints):
 *   offset 0   4 bytes  magic "SLCK"
 *          4   u16      format version (1)
 *          6   u16      flags: bit 0 = Adam state present, bit 1 = replay buffer present (loss ml, persistent)
 *          8   u32      steps done
 *         12   u32      T, weight tensors
 *         16   u32      S, random streams
 *         20   u32      P, weights in all (sum of the sizes)
 *         24   T x u32  size of each weight tensor
 *              T x u32  Adam's step count per tensor (if flag 0)
 *              pad to a multiple of 8
 *              P x f32  weights, tensor after tensor (tfjs layout)
 *              pad to a multiple of 8
 *              P x f64  Adam's first moments, then P x f64 second moments (if flag 0)
 *              S x (4 x u32 xoshiro128** words, f64 cached normal or NaN for none)
 *              (if flag 1) u32 B, u32 0, B x f32 replay buffer points (bufferSize x D, row-major), pad to 8
 * A checkpoint without a replay buffer is byte for byte what this format was before the flag existed.
 */
import type { RngState, TrainerState } from '@scorelab/core';

export interface Checkpoint {
  trainer: TrainerState;
  /** The run's random streams, in RUN_RNG_ORDER (rngs.ts). */
  rngs: RngState[];
  /** loss ml with persistent negatives: the replay buffer's points (absent or null: none). */
  replayBuffer?: Float32Array | null;
}

const MAGIC = [0x53, 0x4c, 0x43, 0x4b]; // "SLCK"
const VERSION = 1;
const HEADER = 24;
const STREAM = 24;

const pad8 = (n: number) => (n + 7) & ~7;

/** Bytes of a checkpoint with weight tensors of these sizes, with or without Adam state, `streams` random streams and a replay buffer of `buffer` floats. */
export function checkpointByteLength(sizes: readonly number[], adam: boolean, streams: number, buffer: number | null = null): number {
  const p = sizes.reduce((a, b) => a + b, 0);
  const t = sizes.length;
  let n = pad8(HEADER + 4 * t + (adam ? 4 * t : 0));
  n = pad8(n + 4 * p);
  if (adam) n += 16 * p;
  n += STREAM * streams;
  return buffer === null ? n : pad8(n + 8 + 4 * buffer);
}

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const { trainer, rngs } = checkpoint;
  const buffer = checkpoint.replayBuffer ?? null;
  const sizes = trainer.weights.map((w) => w.length);
  const adam = trainer.adam;
  if (adam && (adam.t.length !== sizes.length || adam.m.length !== sizes.length || adam.v.length !== sizes.length || sizes.some((s, k) => adam.m[k].length !== s || adam.v[k].length !== s))) {
    throw new Error('encodeCheckpoint: the Adam state does not match the weights');
  }
  const bytes = new Uint8Array(checkpointByteLength(sizes, adam !== null, rngs.length, buffer?.length ?? null));
  const view = new DataView(bytes.buffer);
  MAGIC.forEach((b, i) => view.setUint8(i, b));
  view.setUint16(4, VERSION, true);
  view.setUint16(6, (adam ? 1 : 0) | (buffer ? 2 : 0), true);
  view.setUint32(8, trainer.steps, true);
  view.setUint32(12, sizes.length, true);
  view.setUint32(16, rngs.length, true);
  view.setUint32(20, sizes.reduce((a, b) => a + b, 0), true);
  let at = HEADER;
  const u32 = (v: number) => {
    view.setUint32(at, v, true);
    at += 4;
  };
  const f32 = (v: number) => {
    view.setFloat32(at, v, true);
    at += 4;
  };
  const f64 = (v: number) => {
    view.setFloat64(at, v, true);
    at += 8;
  };
  sizes.forEach(u32);
  adam?.t.forEach(u32);
  at = pad8(at);
  for (const w of trainer.weights) w.forEach(f32);
  at = pad8(at);
  if (adam) for (const moments of [adam.m, adam.v]) for (const m of moments) m.forEach(f64);
  for (const r of rngs) {
    r.words.forEach(u32);
    f64(r.spareNormal ?? NaN);
  }
  if (buffer) {
    u32(buffer.length);
    u32(0);
    buffer.forEach(f32);
  }
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const fail = (why: string): never => {
    throw new Error(`not a valid scorelab checkpoint: ${why}`);
  };
  if (bytes.length < HEADER) fail(`${bytes.length} bytes is shorter than the header`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) fail('it does not begin with "SLCK"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== VERSION) fail(`format version ${version}, this build reads ${VERSION}`);
  const flags = view.getUint16(6, true);
  const hasAdam = (flags & 1) === 1;
  const hasBuffer = (flags & 2) === 2;
  if (flags & ~3) fail(`unknown flags ${flags}`);
  const steps = view.getUint32(8, true);
  const t = view.getUint32(12, true);
  const s = view.getUint32(16, true);
  const p = view.getUint32(20, true);
  if (HEADER + 4 * t > bytes.length) fail('the tensor table is cut off');
  const sizes = Array.from({ length: t }, (_, k) => view.getUint32(HEADER + 4 * k, true));
  if (sizes.reduce((a, b) => a + b, 0) !== p) fail('the tensor sizes do not add up to the weight count');
  const withoutBuffer = checkpointByteLength(sizes, hasAdam, s);
  let bufferLength: number | null = null;
  if (hasBuffer) {
    if (bytes.length < withoutBuffer + 8) fail('the replay buffer is cut off');
    bufferLength = view.getUint32(withoutBuffer, true);
  }
  const expected = checkpointByteLength(sizes, hasAdam, s, bufferLength);
  if (bytes.length !== expected) fail(`${bytes.length} bytes where its header says ${expected}`);
  let at = HEADER + 4 * t;
  const adamT = hasAdam ? Array.from({ length: t }, (_, k) => view.getUint32(at + 4 * k, true)) : [];
  at = pad8(at + (hasAdam ? 4 * t : 0));
  const weights = sizes.map((n) => {
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = view.getFloat32(at + 4 * i, true);
    at += 4 * n;
    return w;
  });
  at = pad8(at);
  const readMoments = () =>
    sizes.map((n) => {
      const m = new Float64Array(n);
      for (let i = 0; i < n; i++) m[i] = view.getFloat64(at + 8 * i, true);
      at += 8 * n;
      return m;
    });
  const adam = hasAdam ? { t: adamT, m: readMoments(), v: readMoments() } : null;
  const rngs: RngState[] = Array.from({ length: s }, () => {
    const words = [0, 1, 2, 3].map((k) => view.getUint32(at + 4 * k, true)) as RngState['words'];
    const spare = view.getFloat64(at + 16, true);
    at += STREAM;
    return { words, spareNormal: Number.isNaN(spare) ? null : spare };
  });
  let replayBuffer: Float32Array | null = null;
  if (bufferLength !== null) {
    at += 8;
    replayBuffer = new Float32Array(bufferLength);
    for (let i = 0; i < bufferLength; i++) replayBuffer[i] = view.getFloat32(at + 4 * i, true);
  }
  return { trainer: { steps, weights, adam }, rngs, ...(replayBuffer ? { replayBuffer } : {}) };
}

/** The steps done of an encoded checkpoint (checked whole, then read from its header). */
export function checkpointSteps(bytes: Uint8Array): number {
  return decodeCheckpoint(bytes).trainer.steps;
}
