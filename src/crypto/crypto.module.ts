import { Module } from '@nestjs/common';
import { EncryptionKeysRepository } from './encryption-keys.repository';

@Module({
  providers: [EncryptionKeysRepository],
  exports: [EncryptionKeysRepository],
})
export class CryptoModule {}
