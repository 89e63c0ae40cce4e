import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { PrismaService } from './prisma/prisma.service';
import { SecretBox } from './secrets/secret-box';
import { Clock, SystemClock } from './clock/clock';
import { ShutdownLogger } from './logging/shutdown-logger';
import { AuthFailures } from './auth/auth-failures';

/**
 * Shared infrastructure of every process: the validated configuration, the database client
 * the sealing of secrets at rest and the clock.
 */
@Global()
@Module({})
export class CoreModule {
  /** `clock` replaces the system clock (tests move time instead of waiting). */
  static forRoot(config: AppConfig, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: AppConfig, useValue: config },
        PrismaService,
        { provide: SecretBox, useFactory: () => new SecretBox(config.masterKey) },
        { provide: Clock, useValue: clock },
        ShutdownLogger,
        AuthFailures,
      ],
      exports: [AppConfig, PrismaService, SecretBox, Clock, AuthFailures],
    };
  }
}
