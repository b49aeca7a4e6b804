import { type CommandContext, derivedUuid } from '../../ledger/commands/command-context';
import { parseDeploymentId } from '../../ledger/commands/identifiers';
import { NotRecorded } from '../../ledger/commands/rule-errors';
import type { StreamWriter } from '../../ledger/commands/stream-writer';
import { streams } from '../../ledger/stream-names';
import { alertDecider } from '../alert.decider';
import { type DeploymentRecord, deploymentRecord } from '../deployment-record';
import {
  type MonitoringSignalCommand,
  findSignal,
  monitoringSignalDecider,
  signalKey,
} from '../monitoring-signal.decider';
import type { AlertSeverity } from '../monitoring.events';
import type { SignalWriteResult } from './signal.request.dto';

/** The deployment's stream folded for monitoring: what every signal and alert is checked against. */
export function readDeployment(
  writer: StreamWriter,
  deploymentId: string,
): Promise<DeploymentRecord> {
  return writer.state(deploymentRecord, streams.deployment(deploymentId));
}

/**
 * Records a signal in the deployment's monitoring stream and, when it breaches its threshold,
 * raises an alert in a new stream. The alert's id is derived from the signal's, so a retry after
 * a failure between the two appends raises the missing alert, and a plain retry raises none.
 */
export async function recordSignal(
  writer: StreamWriter,
  command: MonitoringSignalCommand,
  severity: AlertSeverity,
  context: CommandContext,
): Promise<SignalWriteResult> {
  const { deploymentId, model, environment } = command.data;
  const stream = streams.monitoringSignals(deploymentId);
  const signal = await writer.execute(stream, monitoringSignalDecider, command, context);
  // This command's signal, or the identical one recorded before it.
  const recorded = findSignal(signal.state, signalKey(command.data));
  if (!recorded) throw new Error(`${stream}: the signal just decided is missing from its state`);
  if (!recorded.breached) {
    return {
      id: recorded.signalId,
      ledgerPosition: signal.ledgerPosition,
      eventIds: signal.eventIds,
      alertId: null,
    };
  }
  const alertId = derivedUuid('alert', recorded.signalId);
  const alertStream = streams.alert(alertId);
  const isNew = signal.events.length > 0;
  const causeEventId = isNew
    ? signal.eventIds[0]
    : await retriedCause(writer, alertStream, stream, recorded.signalId);
  const alert = await writer.execute(
    alertStream,
    alertDecider,
    {
      type: 'RaiseAlert',
      data: {
        alertId,
        deploymentId,
        model,
        environment,
        severity,
        kind: command.type === 'RecordDrift' ? 'drift' : 'performance',
        summary: summaryOf(command),
        causeEventId,
      },
      deploymentRecorded: command.deployment.recorded,
      // The cause is the signal just found in the deployment's monitoring stream.
      cause: causeEventId === null ? null : { eventId: causeEventId, recorded: true },
      actor: context.actor.sub,
      now: context.now,
    },
    context,
    { fresh: isNew },
  );
  return {
    id: recorded.signalId,
    ledgerPosition: alert.ledgerPosition,
    eventIds: [...signal.eventIds, ...alert.eventIds],
    alertId,
  };
}

/**
 * The cause of an alert for a signal recorded by an earlier attempt: needed only when that
 * attempt stopped before the alert (a raised alert decides nothing new, whatever it is given).
 */
async function retriedCause(
  writer: StreamWriter,
  alertStream: string,
  signalStream: string,
  signalId: string,
): Promise<string | null> {
  if ((await writer.state(alertDecider, alertStream)).status !== 'none') return null;
  const loaded = await writer.load(monitoringSignalDecider, signalStream);
  const index = loaded.events.findIndex((event) => event.data.signalId === signalId);
  if (index < 0) throw new NotRecorded('monitoring signal', signalId);
  return loaded.recorded[index].id;
}

/** One line for the people on call, from figures only (no personal data). */
export function summaryOf({ type, data }: MonitoringSignalCommand): string {
  const where = `${data.model}@${data.version} in ${data.environment}, ${data.window.from} to ${data.window.to}`;
  if (type === 'RecordDrift') {
    return `${data.metric} of ${data.feature} is ${data.value}, above the threshold ${data.threshold} (${where})`;
  }
  const side = data.higherIsBetter ? 'below' : 'above';
  return `${data.metric} is ${data.value}, ${side} the threshold ${data.threshold} (${where})`;
}

/** The model and environment a deployment id names; an id that names none was never recorded. */
export function deploymentSlot(deploymentId: string): { model: string; environment: string } {
  const slot = parseDeploymentId(deploymentId);
  if (!slot) throw new NotRecorded('deployment', deploymentId);
  return slot;
}
