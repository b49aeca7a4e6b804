import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from '../../src/auth/access.decorators';
import type { Role } from '../../src/auth/roles';
import { ConsoleGuard } from '../../src/console/console-access';

/** One route the application serves, as its controller declares it. */
export interface AppRoute {
  method: string;
  /** e.g. /models/:name (the API's, without /api/v1) or /console/approvals. */
  path: string;
  controller: Type;
  handler: object;
  /** The handler's method name. */
  name: string;
  /** The API's @Allow roles ([] when none). */
  roles: readonly Role[];
  /** A console page's @ConsoleRoles, when it names them (README, "Console"). */
  consoleRoles: readonly Role[] | undefined;
  isPublic: boolean;
  /** Behind the console's session guard. */
  guarded: boolean;
}

/** Every route the application serves, read from the controllers themselves (route-access specs). */
export function appRoutes(app: INestApplication): AppRoute[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: AppRoute[] = [];
  for (const { instance, metatype } of discovery.getControllers()) {
    if (!instance || !metatype) continue;
    const controller = metatype as Type;
    const prefixes = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as () => void;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) continue;
      const targets = [handler, controller];
      const guards = [
        ...((Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[]) ?? []),
        ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? []),
      ];
      for (const prefix of prefixes)
        for (const path of ([] as string[]).concat(paths))
          routes.push({
            method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number],
            path: `/${[prefix, path].filter((p) => p && p !== '/').join('/')}`
              .replace(/\/+/g, '/')
              .replace(/(.)\/$/, '$1'),
            controller,
            handler,
            name,
            roles: reflector.getAllAndOverride<readonly Role[]>(ALLOWED_ROLES, targets) ?? [],
            // @ConsoleRoles' key (src/console/console-access.ts).
            consoleRoles: reflector.getAllAndOverride<readonly Role[]>(
              'attest:console-roles',
              targets,
            ),
            isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false,
            guarded: guards.includes(ConsoleGuard),
          });
    }
  }
  return routes;
}
