// Artifact payloads <-> the columns of the artifacts table (format, shape and json as text, blob
// as bytes); every backend stores them this way.
import { alignedCopy, fromJson, toJson, typedArrayBytes } from './codec';
import { StoreError } from './errors';
import type { ArtifactContent, NewArtifact } from './types';

export interface EncodedArtifact {
  format: ArtifactContent['format'];
  /** JSON text of the shape of float arrays. */
  shape: string | null;
  json: string | null;
  blob: Buffer | null;
  /** Size of the stored payload (blob, else JSON text). */
  bytes: number;
}

/** Checks an artifact (name, JSON-serialisable value, shape matching the data) and encodes it. */
export function encodeArtifact({ name, content }: NewArtifact): EncodedArtifact {
  if (name === '') throw new StoreError('saveArtifact: empty name');
  let shape: number[] | null = null;
  let json: string | null = null;
  let blob: Buffer | null = null;
  switch (content.format) {
    case 'json':
      json = toJson(content.value);
      if (json === undefined) throw new StoreError(`saveArtifact: ${name}: value is not JSON-serialisable`);
      break;
    case 'float32':
    case 'float64': {
      shape = content.shape;
      const size = shape.reduce((a, b) => a * b, 1);
      if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || size !== content.data.length) {
        throw new StoreError(`saveArtifact: ${name}: shape [${shape}] does not match ${content.data.length} values`);
      }
      blob = typedArrayBytes(content.data);
      break;
    }
    case 'bytes':
      blob = typedArrayBytes(content.data);
      break;
    default: {
      const never: never = content;
      throw new StoreError(`saveArtifact: unknown format ${(never as { format: string }).format}`);
    }
  }
  const bytes = blob?.byteLength ?? Buffer.byteLength(json ?? '');
  return { format: content.format, shape: shape && toJson(shape), json, blob, bytes };
}

/** The stored columns of an artifact -> its payload. */
export function decodeArtifact(stored: Omit<EncodedArtifact, 'bytes'>): ArtifactContent {
  switch (stored.format) {
    case 'json':
      return { format: 'json', value: fromJson<unknown>(stored.json) };
    case 'float32':
      return { format: 'float32', shape: fromJson<number[]>(stored.shape)!, data: new Float32Array(alignedCopy(stored.blob!)) };
    case 'float64':
      return { format: 'float64', shape: fromJson<number[]>(stored.shape)!, data: new Float64Array(alignedCopy(stored.blob!)) };
    case 'bytes':
      return { format: 'bytes', data: new Uint8Array(alignedCopy(stored.blob!)) };
  }
}
