import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_CONFIG, AppConfig, loadConfig } from './app-config';
import { SubjectPepper, openSubjectPepper } from './subject-pepper';

/** The server's secret pepper: keys subject refs and request digests, never stored in the ledger. */
export const SERVER_PEPPER = Symbol('ServerPepper');

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
        {
          provide: SERVER_PEPPER,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig): Promise<SubjectPepper> => {
            const pepper = await openSubjectPepper(config);
            if (pepper.warning) new Logger('Privacy').warn(pepper.warning);
            return pepper;
          },
        },
      ],
      exports: [APP_CONFIG, SERVER_PEPPER],
    };
  }
}
