export type {
  Dataset,
  DatasetSpec,
  DatasetKind,
  ToyKind,
  GaussianMixture,
  DigitsDatasetSpec,
  FileDatasetSpec,
  DataDatasetSpec,
  DensityDatasetSpec,
  DataSplit,
  ImageLayout,
  EmpiricalDataset,
  AnyDataset,
} from './dataset';
export { hasExactDensity } from './dataset';
export { createDataset, createDensityDataset } from './create-dataset';
export { type DataPoints, dataPoints, selectRows } from './data-points';
export { type ParsedCsv, DataFileError, parseCsvPoints, parseNpyPoints } from './data-file';
export { heldOutCount, splitIndices, splitPoints } from './file-split';
export {
  DIGITS_IMAGES,
  DIGITS_SIDE,
  DIGITS_DIM,
  DIGITS_MAX_PIXEL,
  DIGITS_TEST_EVERY,
  digitsTable,
  digitsSplit,
  isDigitsTestRow,
  scaleDigits,
} from './digits';
export { DIGITS_SOURCE_SHA256 } from './digits-data';
