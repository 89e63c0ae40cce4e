import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { PrismaService } from './prisma/prisma.service';
import { SecretBox } from '../crypto/secret-box';
import { Clock, SystemClock } from './clock/clock';

/**
 * Shared infrastructure of every process: the validated configuration, the database client
 * the sealing of secrets at rest and the clock.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: AppConfig, useValue: config },
        PrismaService,
        { provide: SecretBox, useFactory: () => new SecretBox(config.masterKey) },
        { provide: Clock, useClass: SystemClock },
      ],
      exports: [AppConfig, PrismaService, SecretBox, Clock],
    };
  }
}
