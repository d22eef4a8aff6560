export { startServer } from './server';
export type { DashboardServer, StartServerOptions } from './server';
export { createApp } from './app';
export type { AppOptions } from './app';
export {
  ablation,
  aggregateSeries,
  bestConfiguration,
  bestRun,
  configDiff,
  flattenConfig,
  heatmap,
  marginals,
  stats,
  sweptParameters,
} from './analysis';
export type { Ablation, AblationGroup, BandPoint, BestRun, ConfigDifference, ConfigurationResult, Heatmap, HeatmapCell, Marginal, MarginalValue, MetricDirection, Stats, SweptParameter } from './api-types';
export { metricDirection, defaultMetric, compareMetricKeys } from './metric-names';
export { runsCsv, csvField } from './csv';
