import { Module } from '@nestjs/common';
import { SignInController } from './sign-in.controller';

/** Signing in and out of the console (README, "Console"). */
@Module({ controllers: [SignInController] })
export class ConsoleSessionModule {}
