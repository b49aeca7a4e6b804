/**
 * The deployments capability's read interface over its timeline (docs/architecture.md,
 * "Boundaries"): other capabilities read deployment_timeline through these functions, never by
 * SQL of their own on it.
 */
export { deploymentsAt, timelineSteps } from './deployment-timeline.read-model';
