export type { Dataset, DatasetSpec, DatasetKind, ToyKind, GaussianMixture } from './dataset';
export { createDataset } from './create-dataset';
