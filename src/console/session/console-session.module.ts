import { Module } from '@nestjs/common';
import { OidcClient } from './oidc-client';
import { SignInController } from './sign-in.controller';

/** Signing in and out of the console (README, "Console"). */
@Module({ controllers: [SignInController], providers: [OidcClient] })
export class ConsoleSessionModule {}
