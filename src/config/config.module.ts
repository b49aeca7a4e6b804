import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_CONFIG, AppConfig, loadConfig } from './app-config';

/** @nestjs/config reads the environment (and .env); loadConfig validates it once at start. */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(overrides: Record<string, string> = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: Object.keys(overrides).length > 0,
          validate: (env) => ({ ...env, attest: loadConfig({ ...env, ...overrides }) }),
        }),
      ],
      providers: [
        {
          provide: APP_CONFIG,
          inject: [ConfigService],
          useFactory: (config: ConfigService): AppConfig => config.getOrThrow<AppConfig>('attest'),
        },
      ],
      exports: [APP_CONFIG],
    };
  }
}
