export * from './input';
export {
  auc,
  gini,
  ksStatistic,
  brierScore,
  thresholdMetrics,
  predictAtThreshold,
} from './discrimination';
export type { ThresholdMetrics } from './discrimination';
export * from './calibration';
export * from './delong';
export * from './fairness';
export * from './distribution';
export { chiSquareSurvival, regularizedUpperGamma } from './special-functions';
