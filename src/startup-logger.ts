import type { LoggerService } from '@nestjs/common';

/**
 * Nest's own start-up lines: one per module and per route, some 150 at start. At debug level
 * they stay available; at info a start reads as the service's own progress (README "Quick start").
 */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** The application's logger, with Nest's framework chatter moved from info to debug. */
export function withQuietFramework(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...rest: unknown[]) => {
      const context = rest[rest.length - 1];
      if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context))
        (logger.debug ?? logger.log).call(logger, message, ...rest);
      else logger.log(message, ...rest);
    },
    error: (message: unknown, ...rest: unknown[]) => logger.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => logger.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => logger.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => logger.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) =>
      (logger.fatal ?? logger.error).call(logger, message, ...rest),
  };
}
