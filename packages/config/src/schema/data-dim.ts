// The dimension of a dataset as far as its spec says: file data have theirs only once the file is read.
import { DIGITS_DIM, type DatasetSpec } from './dataset';

/** D of the dataset's points, or undefined when only the data file knows it (kind: file). */
export function knownDataDim(dataset: DatasetSpec): number | undefined {
  switch (dataset.kind) {
    case 'gaussian':
      return dataset.dim;
    case 'gmm':
      return dataset.means[0].length;
    case 'digits':
      return DIGITS_DIM;
    case 'file':
      return undefined;
    default:
      return 2;
  }
}
