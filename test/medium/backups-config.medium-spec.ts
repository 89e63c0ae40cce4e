import type { AccessedInstance } from '../../src/access/access.repository';
import { BackupsConfigModule } from '../../src/backups-config/backups-config.module';
import { BackupsConfigService } from '../../src/backups-config/backups-config.service';
import { InvalidParametersError } from '../../src/core/errors/domain-errors';
import { EncryptionKeysRepository } from '../../src/crypto/encryption-keys.repository';
import { Medium, startMedium } from './support/medium';

/** The backups-config update on its real repository: what changes, what a refusal leaves. */
describe('updating the backups config', () => {
  let m: Medium;
  let service: BackupsConfigService;
  beforeAll(async () => {
    m = await startMedium([BackupsConfigModule]);
    service = m.get(BackupsConfigService);
  });
  afterAll(() => m?.close());

  const stored = (instance: AccessedInstance) =>
    m.prisma.backupsConfig.findUniqueOrThrow({ where: { instanceId: instance.id } });

  it('changes only the fields given, and a new key becomes the active user key', async () => {
    const instance = await m.newInstance();
    const before = await stored(instance);
    await service.update(instance, { retention_time: 9 });
    const after = await stored(instance);
    expect(after).toMatchObject({
      retentionTime: 9,
      minBackupCount: before.minBackupCount,
      excludeFromAutoBackup: false,
      activeKeyId: before.activeKeyId,
    });

    await service.update(instance, {
      encryption_key: 'a-long-secret-key',
      exclude_from_auto_backup: true,
    });
    const keyed = await stored(instance);
    expect(keyed.activeKeyId).not.toBe(before.activeKeyId);
    expect(keyed).toMatchObject({ retentionTime: 9, excludeFromAutoBackup: true });
    const key = await m.prisma.encryptionKey.findUniqueOrThrow({
      where: { id: keyed.activeKeyId },
    });
    expect(key.origin).toBe('user');
    // sealed at rest, opened only by the repository
    expect(Buffer.from(key.sealed).toString('latin1')).not.toContain('a-long-secret-key');
    expect(await m.get(EncryptionKeysRepository).passphrase(key.id)).toBe('a-long-secret-key');
    // the platform key stays, for the backups it encrypted
    expect(await m.prisma.encryptionKey.count({ where: { instanceId: instance.id } })).toBe(2);
  });

  it.each([
    [{}, 'at least one of encryption_key'],
    [{ encryption_key: 'short' }, 'at least 8 characters'],
    [{ encryption_key: 'long enough\nbut cut', retention_time: 1 }, 'control characters'],
  ])('refuses %j with a 422 naming the problem and changes nothing', async (dto, message) => {
    const instance = await m.newInstance();
    const before = await stored(instance);
    const keys = await m.prisma.encryptionKey.count({ where: { instanceId: instance.id } });
    const refusal = service.update(instance, dto);
    await expect(refusal).rejects.toBeInstanceOf(InvalidParametersError);
    await expect(refusal).rejects.toThrow(message);
    expect(await stored(instance)).toEqual(before);
    expect(await m.prisma.encryptionKey.count({ where: { instanceId: instance.id } })).toBe(keys);
  });
});
