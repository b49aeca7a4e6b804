import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../ledger/event-log.port';
import { AccessLogRecorder } from './access-log.recorder';

/**
 * Records every request a regulator's token made — reads, refusals, errors — before the answer
 * leaves. If the record cannot be written the answer is replaced by a 503: nothing a regulator
 * is shown goes unrecorded.
 */
export function recordRegulatorRequests(
  fastify: FastifyInstance,
  recorder: AccessLogRecorder,
  /** During a database outage the outage is logged once, not once per regulator request. */
  outage?: { noteError(error: unknown, where: string): boolean },
): void {
  fastify.addHook(
    'onSend',
    (request: FastifyRequest & { actor?: Actor }, reply: FastifyReply, payload: unknown, done) => {
      const actor = request.actor;
      // Everyone else's answer leaves at once (no promise per request).
      if (!actor?.roles.includes('regulator')) return done(null, payload);
      recorder
        .regulatorRequest(actor, {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          correlationId: String(request.id),
        })
        .then(
          () => done(null, payload),
          (error: unknown) => {
            if (!outage?.noteError(error, 'the regulator access log'))
              request.log.error(
                { err: error },
                'could not record a regulator request; answering 503',
              );
            void reply
              .code(503)
              .header('content-type', 'application/problem+json')
              .header('retry-after', '1');
            done(
              null,
              JSON.stringify({
                type: 'urn:attest:problem:access-log-unavailable',
                title: 'Service Unavailable',
                status: 503,
                code: 'access-log-unavailable',
                detail:
                  'the access log could not record this regulator request, so it is not answered',
                correlationId: String(request.id),
              }),
            );
          },
        );
    },
  );
}
