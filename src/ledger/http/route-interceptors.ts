import type {
  CallHandler,
  ExecutionContext,
  INestApplication,
  NestInterceptor,
  RequestMethod,
} from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Observable } from 'rxjs';

/** An interceptor of this app and the routes it wraps (by HTTP method and route handler). */
export interface RouteInterceptor {
  /** Names its place on a route: the same for every app started in this process. */
  readonly name: string;
  readonly interceptor: NestInterceptor;
  readonly wraps: (method: RequestMethod, handler: object) => boolean;
}

/** This app's interceptors, by name, set on each request as it arrives. */
const INTERCEPTORS = Symbol('attest:route-interceptors');
/** A route's own interceptors (@UseInterceptors), as its class declared them. */
const OWN = Symbol('attest:own-interceptors');

type WithInterceptors = { [INTERCEPTORS]?: ReadonlyMap<string, NestInterceptor> };

/**
 * A route's metadata belongs to its class, shared by every app a process starts (the tests start
 * several); the interceptor instances belong to one app. So a route holds a stand-in per name,
 * and the stand-in calls the instance of the app the request arrived at.
 */
class StandIn implements NestInterceptor {
  private static readonly byName = new Map<string, StandIn>();

  static for(name: string): StandIn {
    let standIn = StandIn.byName.get(name);
    if (!standIn) StandIn.byName.set(name, (standIn = new StandIn(name)));
    return standIn;
  }

  private constructor(private readonly name: string) {}

  intercept(
    context: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<WithInterceptors>();
    const interceptor = request[INTERCEPTORS]?.get(this.name);
    return interceptor ? interceptor.intercept(context, next) : next.handle();
  }
}

/**
 * Puts each interceptor on the routes that need it, outermost first and ahead of a route's own,
 * instead of making it global: Nest runs a route's interceptors through observables and two
 * async resources per request whether or not any of them has anything to do, so a route none
 * applies to (a probe, a read with no personal data) skips that machinery entirely (README,
 * "Benchmark"). Call before `app.init()`, when the router reads each handler's metadata.
 */
export function interceptRoutes(
  app: INestApplication,
  fastify: FastifyInstance,
  rules: readonly RouteInterceptor[],
): void {
  const instances = new Map(rules.map((rule) => [rule.name, rule.interceptor]));
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as WithInterceptors)[INTERCEPTORS] = instances;
    done();
  });
  const scanner = app.get(MetadataScanner);
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
    if (!prototype) continue;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as object;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      // Set once per class, kept by each app after: another app only sets the same again.
      let own = Reflect.getOwnMetadata(OWN, handler) as unknown[] | undefined;
      if (own === undefined) {
        own = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as unknown[];
        Reflect.defineMetadata(OWN, own, handler);
      }
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
      const standIns = rules
        .filter((rule) => rule.wraps(method, handler))
        .map((rule) => StandIn.for(rule.name));
      Reflect.defineMetadata(INTERCEPTORS_METADATA, [...standIns, ...own], handler);
    }
  }
}
