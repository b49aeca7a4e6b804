import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AccessGuard, TOKEN_VERIFIER } from './access.guard';
import { DevIssuer } from './dev-issuer';
import { TokenVerifier } from './token-verifier';

/** Bearer tokens verified with jose, and the role matrix on every route. */
@Global()
@Module({
  providers: [
    {
      provide: DevIssuer,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Promise<DevIssuer> | null =>
        config.auth.keys.kind === 'dev-issuer'
          ? DevIssuer.open(config.dataDir, config.auth.issuer, config.auth.audience)
          : null,
    },
    {
      provide: TOKEN_VERIFIER,
      inject: [APP_CONFIG, DevIssuer],
      useFactory: (config: AppConfig, devIssuer: DevIssuer | null) =>
        TokenVerifier.create(config.auth, devIssuer ?? undefined),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [DevIssuer, TOKEN_VERIFIER],
})
export class AuthModule {}
