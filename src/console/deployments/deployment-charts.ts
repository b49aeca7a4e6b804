import type { MonitoringRules } from '../../monitoring/monitoring-policy';
import type { DeploymentMonitoringView } from '../../monitoring/queries/deployment-monitoring/deployment-monitoring.view';
import { barChart, lineChart, type Series } from '../charts';
import { Html, html } from '../html';
import type { Period } from './deployment-period';

const at = (iso: string) => Date.parse(iso);

/** An instant on a chart's axis: a day, or a day and hour, in UTC. */
function formatter(bucket: 'hour' | 'day') {
  return (x: number) => {
    const iso = new Date(x).toISOString();
    return bucket === 'hour' ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : iso.slice(0, 10);
  };
}

const round = (digits: number) => (y: number) =>
  String(Math.round(y * 10 ** digits) / 10 ** digits);

/**
 * The charts of a deployment over a period (README, "Console"), all from the monitoring view
 * (GET /monitoring/deployments/{id}): prediction volume per version, the outputs, drift against
 * the policy's PSI levels, realised performance from ground truth, and latency.
 */
export function deploymentCharts(
  view: DeploymentMonitoringView,
  rules: MonitoringRules,
  period: Period,
): Html {
  const formatX = formatter(period.bucket);
  const buckets = view.buckets;
  const versions = Object.keys(view.totals.volumeByVersion);
  const volume: Series[] = (versions.length ? versions : ['all versions']).map((version) => ({
    name: version,
    points: buckets.map((b) => ({ x: at(b.start), y: b.volumeByVersion[version] ?? 0 })),
  }));

  const drift = view.timeline.filter((entry) => entry.type === 'DriftDetected' && entry.signal);
  const driftSeries = new Map<string, Series & { points: { x: number; y: number }[] }>();
  for (const entry of drift) {
    const signal = entry.signal!;
    const name = `${signal.metric} of ${signal.feature ?? 'score'}`;
    const series = driftSeries.get(name) ?? { name, points: [] };
    series.points.push({ x: at(signal.windowTo), y: signal.value });
    driftSeries.set(name, series);
  }
  const psi = drift.some((entry) => entry.signal?.metric === 'psi');

  const metrics = new Set(
    buckets.flatMap((b) => (b.groundTruth ? Object.keys(b.groundTruth.metrics) : [])),
  );
  const truth: Series[] = [...metrics].sort().map((metric) => ({
    name: metric,
    points: buckets.flatMap((b) =>
      b.groundTruth && metric in b.groundTruth.metrics
        ? [{ x: at(b.start), y: b.groundTruth.metrics[metric] }]
        : [],
    ),
  }));
  const truthValues = truth.flatMap((s) => s.points.map((p) => p.y));
  const unit = truthValues.every((y) => y >= 0 && y <= 1);

  const latency: Series[] = (['p50', 'p95', 'p99'] as const).map((p) => ({
    name: `${p} (ms)`,
    points: buckets.flatMap((b) => (b.latencyMs ? [{ x: at(b.start), y: b.latencyMs[p] }] : [])),
  }));

  const totals = view.totals;
  return html`<dl class="facts" data-field="totals">
      <dt>Predictions</dt>
      <dd>${totals.volume} in ${totals.batches} batch${totals.batches === 1 ? '' : 'es'}</dd>
      <dt>Automated</dt>
      <dd>
        ${
          totals.decisions.automatedShare === null
            ? '—'
            : `${Math.round(totals.decisions.automatedShare * 1000) / 10} %`
        }
      </dd>
      <dt>Latency</dt>
      <dd>
        ${
          totals.latencyMs
            ? `p50 ${totals.latencyMs.p50} ms, p95 ${totals.latencyMs.p95} ms, p99 ${totals.latencyMs.p99} ms`
            : '—'
        }
      </dd>
      <dt>Outcomes labelled</dt>
      <dd>${totals.groundTruth ? totals.groundTruth.labelled : 0}</dd>
    </dl>
    <div class="grid-2 charts">
      ${lineChart({
        title: `Predictions per ${period.bucket}`,
        series: volume,
        formatX,
        formatY: round(0),
      })}
      ${barChart({
        title: 'Outputs over the period',
        bars: Object.entries(totals.outputDistribution).map(([label, value]) => ({
          label,
          value,
        })),
        formatY: round(0),
        legend: ['predictions'],
      })}
      ${lineChart({
        title: 'Drift per window measured',
        series: [...driftSeries.values()],
        formatX,
        formatY: round(3),
        dots: true,
        rules: psi
          ? [
              { y: rules.psi.warn, label: `PSI warn ${rules.psi.warn}` },
              { y: rules.psi.alert, label: `PSI alert ${rules.psi.alert}` },
            ]
          : [],
      })}
      ${lineChart({
        title: 'Realised performance (ground truth)',
        series: truth,
        formatX,
        formatY: round(3),
        ...(unit && truthValues.length ? { yRange: [0, 1] as [number, number] } : {}),
      })}
      ${lineChart({
        title: 'Latency (batch percentiles)',
        series: latency,
        formatX,
        formatY: round(1),
      })}
    </div>`;
}
