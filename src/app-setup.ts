import { NotFoundException, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { withResponseExamples } from './openapi/response-examples';
import { withNullablesForOpenApi30 } from './openapi/nullable';
import { Logger } from 'nestjs-pino';
import { AppModule, AppOptions, correlationIdFor } from './app.module';
import { APP_CONFIG, AppConfig, loadConfig, servesApi } from './config/app-config';
import { ProblemDetailsFilter, sendProblem, toProblem } from './ledger/http/problem-details.filter';
import { DatabaseOutage } from './ledger/database/database-outage';
import {
  clientErrorHandler,
  hardenHttp,
  withRateLimitResponses,
} from './ledger/http/http-hardening';
import { TOKEN_VERIFIER } from './auth/access.guard';
import type { TokenVerifier } from './auth/token-verifier';
import { ReadYourWritesGuard } from './ledger/http/read-your-writes.guard';
import { IdempotencyInterceptor } from './ledger/commands/idempotency.interceptor';
import { validationPipe } from './ledger/http/validation';
import { useJsonBodyParser } from './ledger/http/json-body';
import { tagReads } from './ledger/http/etag';
import { interceptRoutes } from './ledger/http/route-interceptors';
import { logRequests, requestLogger, logOptions } from './ledger/http/request-log';
import { SERVER_PEPPER } from './config/config.module';
import type { SubjectPepper } from './config/subject-pepper';
import { CLOCK, type Clock } from './ledger/clock';
import { AccessLogRecorder } from './access-log/access-log.recorder';
import {
  PersonalDataAccessInterceptor,
  recordsPersonalData,
} from './access-log/personal-data-access';
import { recordRegulatorRequests } from './access-log/regulator-access.hook';
import { withQuietFramework } from './startup-logger';
import fastifyCookie from '@fastify/cookie';
import { SESSION_COOKIE } from './console/console-access';
import fastifyFormBody from '@fastify/formbody';

export const API_PREFIX = 'api/v1';

/** All a projector process serves (README, "Projector role"): its probes and its metrics. */
export const PROJECTOR_PATHS: ReadonlySet<string> = new Set([
  `/${API_PREFIX}/health/live`,
  `/${API_PREFIX}/health/ready`,
  '/metrics',
]);

/** Builds the whole HTTP application; main.ts listens on it, tests drive it with supertest. */
export async function createApp(options: AppOptions = {}): Promise<NestFastifyApplication> {
  const module = AppModule.forRoot(options);
  // The HTTP adapter is built before Nest's config module exists, so it reads the same loader.
  const {
    bodyLimitBytes: bodyLimit,
    trustProxy,
    role,
  } = loadConfig({
    ...process.env,
    ...options.env,
  });
  const adapter = new FastifyAdapter({
    bodyLimit,
    clientErrorHandler,
    trustProxy,
    return503OnClosing: true,
    genReqId: correlationIdFor,
    // No Nest middleware is used (requests are logged from a hook, see logRequests): without
    // @fastify/middie, no request goes through its engine.
    skipMiddie: true,
    // Bad percent-encoding and overlong path parameters are refused by the router, before Nest.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, toProblem(error, request)),
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Correlation-Id', request.id);
    done();
  });
  if (!servesApi(role)) {
    // A projector answers its probes and scrapes; every other path is the API processes'.
    adapter.getInstance().addHook('onRequest', (request, reply, done) => {
      if (PROJECTOR_PATHS.has(request.url.split('?')[0])) return done();
      sendProblem(
        reply,
        toProblem(
          new NotFoundException(
            `this is a projector process (ATTEST_ROLE=projector): it serves ${[...PROJECTOR_PATHS].join(', ')} only; the API is served by ATTEST_ROLE=api or all`,
          ),
          request,
        ),
      );
    });
  }
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(withQuietFramework(app.get(Logger)));
  // Nest only flushes its start-up buffer on listen(); tests never listen, and lines logged
  // later (a database outage) would stay in that buffer.
  app.flushLogs();
  useJsonBodyParser(app, bodyLimit);
  // The console (README, "Console"): its session and CSRF cookies, and its HTML forms.
  await app.register(fastifyCookie);
  await app.register(fastifyFormBody, { bodyLimit: 65_536 });
  // Model artifacts and dataset data (CSV) are streamed to disk as they arrive, never held whole
  // (their own limit, ARTIFACT_MAX_BYTES, is kept by the content store).
  adapter
    .getInstance()
    .addContentTypeParser(['application/octet-stream', 'text/csv'], (_request, payload, done) =>
      done(null, payload),
    );
  const clock = app.get<Clock>(CLOCK);
  // The moment a request arrives is the time its command records (CommandContext.now).
  adapter.getInstance().addHook('onRequest', (request, _reply, done) => {
    (request as typeof request & { receivedAt?: Date }).receivedAt = clock();
    done();
  });
  const config = app.get<AppConfig>(APP_CONFIG);
  await hardenHttp(
    app,
    config.rateLimit,
    app.get<TokenVerifier>(TOKEN_VERIFIER),
    config.serving.perMinute,
    SESSION_COOKIE,
  );
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'metrics', method: RequestMethod.GET },
      { path: '.well-known/jwks.json', method: RequestMethod.GET },
      // The Open Inference Protocol's paths, where KServe and Seldon clients look (README, "Serving").
      { path: 'v2/models/:model', method: RequestMethod.GET },
      { path: 'v2/models/:model/ready', method: RequestMethod.GET },
      { path: 'v2/models/:model/infer', method: RequestMethod.POST },
      // The web console (README, "Console").
      { path: 'console', method: RequestMethod.ALL },
      { path: 'console/{*path}', method: RequestMethod.ALL },
    ],
  });
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(DatabaseOutage)));
  // After the access guard (an APP_GUARD): a read waits for its writes once its caller is known.
  app.useGlobalGuards(app.get(ReadYourWritesGuard));
  // Only where a route needs them, outermost first (see interceptRoutes): Idempotency-Key on
  // every write, the personal-data record on the reads that declare one.
  const writes = new Set([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH]);
  interceptRoutes(app, adapter.getInstance(), [
    {
      name: 'idempotency',
      interceptor: app.get(IdempotencyInterceptor),
      wraps: (method) => writes.has(method),
    },
    {
      name: 'personal-data',
      interceptor: app.get(PersonalDataAccessInterceptor),
      wraps: (_method, handler) => recordsPersonalData(handler),
    },
  ]);
  // The ETag is taken from the final bytes, after the personal-data record, and before the
  // regulator's access record (which then records the 304 sent).
  tagReads(adapter.getInstance());
  recordRegulatorRequests(
    adapter.getInstance(),
    app.get(AccessLogRecorder),
    app.get(DatabaseOutage),
  );
  logRequests(
    adapter.getInstance(),
    requestLogger(
      logOptions(config.logLevel, app.get<SubjectPepper>(SERVER_PEPPER).secret, options.logStream),
    ),
  );
  app.enableShutdownHooks();

  if (!servesApi(role)) return app;
  const document = withRateLimitResponses(
    withResponseExamples(
      SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('Attest')
          .setDescription(
            'Event-sourced governance and audit ledger for machine-learning models. Errors are RFC 9457 application/problem+json. ' +
              'Every write returns { id, ledgerPosition }; send that position as X-Ledger-Position on a read to wait (at most ' +
              `${config.readWaitTimeoutMs / 1000} s, then 503 with Retry-After) until read models include it.`,
          )
          .setVersion('0.1.0')
          // Paths are relative to the host that serves this document (they carry /api/v1).
          .addServer('/', 'This service')
          .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
          .addSecurityRequirements('bearer')
          .build(),
      ),
    ),
  );
  withNullablesForOpenApi30(document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
