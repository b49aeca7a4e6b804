import type { EvidenceEvaluation } from '../../approvals/queries/approval-inbox/approval-inbox.query-handler';
import type { ApprovalRecord } from '../../approvals/queries/approvals/approval.read-model';
import { type DecisionBar, decisionBars } from '../../approvals/who-may-decide';
import { DecideApprovalStageHttpController } from '../../approvals/commands/decide-approval-stage/decide-approval-stage.http.controller';
import type { ConsoleContext } from '../console-context';
import { Html, type HtmlValue, html, join } from '../html';
import { versionPath } from '../inventory/inventory.pages';
import { dataTable, instant, notice } from '../layout';

/** One pending request as the inbox shows it: the evidence, and why this person may not decide. */
export type InboxItem = {
  approval: ApprovalRecord;
  evaluations: EvidenceEvaluation[];
  /** Empty: this person may decide the pending stage. */
  bars: DecisionBar[];
};

/**
 * Every pending request with what bars this person from deciding it: the approvals capability's
 * own rule. The evaluations behind the evidence are read for the decidable ones only.
 */
export function inboxItems(
  approvals: readonly ApprovalRecord[],
  actor: { sub: string; roles: readonly string[] },
): Omit<InboxItem, 'evaluations'>[] {
  return approvals.flatMap((approval) => {
    // A pending request always has a stage waiting; one that has none is nobody's to decide.
    if (approval.currentRole === null) return [];
    return [{ approval, bars: decisionBars({ ...approval, role: approval.currentRole }, actor) }];
  });
}

/** Why this person cannot decide, as a sentence: "Needs the compliance-officer role; you …". */
export function barSentence(bars: readonly DecisionBar[]): string {
  const parts = bars.map((bar) => {
    switch (bar.rule) {
      case 'stage-role-required':
        return `needs the ${bar.role} role`;
      case 'four-eyes':
        return `you ${bar.reasons.join(' and ')}`;
      case 'one-stage-per-person':
        return 'you granted an earlier stage of it';
    }
  });
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** What a refused write left to show again: which request, and the comment typed. */
export type Refusal = { approvalId: string; comment: string };

const stageText = (approval: ApprovalRecord) =>
  approval.currentStage === null
    ? 'no stage'
    : `stage ${approval.currentStage + 1} of ${approval.stages.length} (${approval.currentRole})`;

const versionText = (approval: Pick<ApprovalRecord, 'model' | 'version'>) =>
  `${approval.model} ${approval.version}`;

function evaluationsTable(item: InboxItem): Html {
  const { approval, evaluations } = item;
  const count = approval.evidence.evaluationEventHashes.length;
  if (count === 0) return html`<p>The evidence holds no evaluation of this version.</p>`;
  const caption = `Evaluations in the evidence of ${versionText(approval)}`;
  const rows = evaluations.map(
    (e) =>
      html`<tr>
        <th scope="row"><code>${e.evaluationId}</code></th>
        <td>
          <span class="badge ${e.verdict === 'pass' ? 'ok' : 'bad'}">${e.verdict}</span>
          ${e.evaluationId === approval.passingEvaluationId ? html` (relied on)` : ''}
        </td>
        <td>${e.performedBy === 'attest' ? 'Attest (service run)' : 'the pipeline'}</td>
        <td>${e.environment ?? html`<span class="muted">—</span>`}</td>
        <td>${e.datasetVersion.name}@${e.datasetVersion.version}</td>
        <td>${e.evaluatedBy}</td>
        <td>${instant(e.evaluatedAt)}</td>
      </tr>`,
  );
  const table = dataTable({
    label: caption,
    caption,
    captionClass: 'visually-hidden',
    columns: [
      { label: 'Evaluation' },
      { label: 'Verdict' },
      { label: 'Computed by' },
      { label: 'Environment' },
      { label: 'Dataset' },
      { label: 'Recorded by' },
      { label: 'Evaluated' },
    ],
    rows,
  });
  return html`${table}
  ${
    evaluations.length < count
      ? html`<p class="muted">
          The registry shows ${evaluations.length} of the ${count} evaluations the evidence holds.
        </p>`
      : ''
  }`;
}

function earlierStages(approval: ApprovalRecord): HtmlValue {
  const decided = approval.stages.filter((stage) => stage.status !== 'pending');
  if (decided.length === 0) return '';
  return html`<dt>Earlier stages</dt>
    <dd>
      <ul class="plain">
        ${decided.map(
          (stage) =>
            html`<li>
              Stage ${stage.stage + 1} (${stage.role}) ${stage.status} by ${stage.by ?? '—'}
              ${instant(stage.at)}${stage.comment ? html`: “${stage.comment}”` : ''}
            </li>`,
        )}
      </ul>
    </dd>`;
}

function decisionForm(ctx: ConsoleContext, approval: ApprovalRecord, refusal?: Refusal): Html {
  const stage = approval.currentStage ?? 0;
  const field = `comment-${approval.id}`;
  const typed = refusal?.approvalId === approval.id ? refusal.comment : '';
  return html`<form
    method="post"
    action="/console/approvals/${approval.id}/decisions"
    class="decision"
    data-write="decide-approval"
  >
    <input type="hidden" name="_csrf" value="${ctx.csrfToken}" />
    <input type="hidden" name="stage" value="${stage}" />
    <label for="${field}">Reason for your decision</label>
    <p class="hint" id="${field}-hint">
      Required to reject, and to grant where the approval policy asks for one (by default for
      high-risk versions). It is kept in the ledger and shown in the audit pack.
    </p>
    <textarea
      id="${field}"
      name="comment"
      rows="3"
      maxlength="2000"
      aria-describedby="${field}-hint"
    >
${typed}</textarea>
    <div class="actions">
      <button type="submit" name="decision" value="grant">Grant stage ${stage + 1}</button>
      <button type="submit" name="decision" value="reject" class="danger">Reject</button>
    </div>
  </form>`;
}

function decidable(ctx: ConsoleContext, item: InboxItem, refusal?: Refusal): Html {
  const { approval } = item;
  const heading = `${versionText(approval)} for ${approval.environment}`;
  const headingId = `approval-${approval.id}`;
  return html`<article class="approval" aria-labelledby="${headingId}">
    <h3 id="${headingId}">${heading}</h3>
    <p>
      <a href="${ctx.href(versionPath(approval.model, approval.version))}"
        >${versionText(approval)}: its card, lineage and full evaluations</a
      >
    </p>
    <p>
      Waiting for <strong>${stageText(approval)}</strong>; ${approval.riskTier} risk. Requested by
      ${approval.requestedBy}
      ${instant(approval.requestedAt)}${approval.comment ? html`: “${approval.comment}”` : ''}
    </p>
    <dl class="facts">
      <dt>Registered by</dt>
      <dd>${approval.registeredBy}</dd>
      <dt>Trained by</dt>
      <dd>${approval.trainedBy} <span class="muted">(training run author)</span></dd>
      <dt>Artifact digest</dt>
      <dd><code>${approval.evidence.artifactDigest}</code></dd>
      <dt>Training datasets</dt>
      <dd>
        ${join(
          approval.evidence.datasetContentHashes.map((hash) => html`<code>${hash}</code>`),
          html`<br />`,
        )}
      </dd>
      <dt>Evidence digest</dt>
      <dd><code>${approval.evidenceDigest}</code></dd>
      ${earlierStages(approval)}
    </dl>
    ${evaluationsTable(item)}
    ${
      ctx.may(DecideApprovalStageHttpController, 'decide')
        ? decisionForm(ctx, approval, refusal)
        : ''
    }
  </article>`;
}

function othersTable(ctx: ConsoleContext, items: readonly InboxItem[], caption: string): Html {
  const rows = items.map(
    ({ approval, bars }) =>
      html`<tr>
        <th scope="row">${approval.model}</th>
        <td>
          <a href="${ctx.href(versionPath(approval.model, approval.version))}"
            >${approval.version}</a
          >
        </td>
        <td>${approval.environment}</td>
        <td>${stageText(approval)}</td>
        <td>${approval.requestedBy === ctx.actor.sub ? 'you' : approval.requestedBy}</td>
        <td>${instant(approval.requestedAt)}</td>
        <td>${barSentence(bars)}</td>
      </tr>`,
  );
  return dataTable({
    label: caption,
    caption,
    captionClass: 'visually-hidden',
    columns: [
      { label: 'Model' },
      { label: 'Version' },
      { label: 'Environment' },
      { label: 'Waiting for' },
      { label: 'Requested by' },
      { label: 'Requested' },
      { label: 'Why you cannot decide' },
    ],
    rows,
  });
}

/** The inbox's body: what this person may decide, then every other pending request and why not. */
export function inboxBody(
  ctx: ConsoleContext,
  items: readonly InboxItem[],
  options: { notices: HtmlValue; more: boolean; cards: number; refusal?: Refusal },
): Html {
  const mine = items.filter((item) => item.bars.length === 0);
  const others = items.filter((item) => item.bars.length > 0);
  const past = ctx.asOf !== undefined;
  const mineHeading = past ? 'Waiting then for your decision' : 'Waiting for your decision';
  const othersHeading = past
    ? 'Pending then, not yours to decide'
    : 'Pending approvals you cannot decide';
  return html`${options.notices}
    ${
      past
        ? html`<p>
            Every request pending at ${instant(ctx.asOf)}, each as it stood then, split by whether
            you could have decided its waiting stage.
          </p>`
        : ''
    }
    ${
      options.more
        ? notice(
            'warning',
            `Only the oldest ${items.length} pending requests are shown; decide or withdraw some to see the rest.`,
          )
        : ''
    }
    <section aria-labelledby="mine-heading">
      <h2 id="mine-heading">${mineHeading} (${mine.length})</h2>
      ${
        mine.length === 0
          ? html`<p>Nothing ${past ? 'waited' : 'waits'} for your decision.</p>`
          : html`${
              mine.length > options.cards
                ? notice(
                    'info',
                    `The oldest ${options.cards} of the ${mine.length} are shown with their evidence; the others appear here as these are decided.`,
                  )
                : ''
            }
            ${mine.slice(0, options.cards).map((item) => decidable(ctx, item, options.refusal))}`
      }
    </section>
    <section aria-labelledby="others-heading">
      <h2 id="others-heading">${othersHeading} (${others.length})</h2>
      ${
        others.length === 0
          ? html`<p>No other request ${past ? 'was' : 'is'} pending.</p>`
          : othersTable(ctx, others, othersHeading)
      }
    </section>`;
}

/** The notice after a decision: what the decided request now stands at. */
export function decidedNotice(approval: ApprovalRecord, sub: string): Html | undefined {
  const mine = approval.stages.filter((stage) => stage.by === sub);
  const last = mine.at(-1);
  if (!last) return undefined;
  const subject = `${versionText(approval)} for ${approval.environment}`;
  if (approval.status === 'approved')
    return notice('success', `You granted the last stage: ${subject} is approved.`);
  if (approval.status === 'rejected') return notice('success', `You rejected ${subject}.`);
  if (approval.status === 'pending')
    return notice(
      'success',
      `You granted stage ${last.stage + 1} of ${subject}; it now waits for ${stageText(approval)}.`,
    );
  return undefined;
}

/** A refused decision: the API's sentence, and each field at fault. */
export function refusalNotice(detail: string, fields?: Record<string, string[]>): Html {
  return notice(
    'error',
    fields
      ? html`${detail}
          <ul>
            ${Object.entries(fields).map(
              ([field, messages]) => html`<li><code>${field}</code>: ${messages.join('; ')}</li>`,
            )}
          </ul>`
      : detail,
  );
}
