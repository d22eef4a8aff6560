/** A table of points: `rows` x `dim` float32 values, row-major. What a data file holds once parsed. */
export interface DataPoints {
  readonly values: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

/** Check that `values` holds rows x dim entries; returns the table. */
export function dataPoints(values: Float32Array, rows: number, dim: number): DataPoints {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(dim) || dim < 1) throw new Error(`data points: bad shape [${rows}, ${dim}]`);
  if (values.length !== rows * dim) throw new Error(`data points: ${values.length} values do not fill [${rows}, ${dim}]`);
  return { values, rows, dim };
}

/** The rows of `points` at `indices` (in that order), as a new table. */
export function selectRows(points: DataPoints, indices: ArrayLike<number>): DataPoints {
  const { dim } = points;
  const out = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    out.set(points.values.subarray(r * dim, (r + 1) * dim), i * dim);
  }
  return { values: out, rows: indices.length, dim };
}
