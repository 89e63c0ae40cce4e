import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import type { Tx } from '../core/prisma/prisma.service';
import type { Instance, InstanceType, BackupType } from '../generated/prisma/client';

export interface NewInstance {
  id: string;
  name: string;
  type: InstanceType;
  backupType: BackupType;
  credentials: Uint8Array<ArrayBuffer>;
}

export interface NewBackupsConfig {
  instanceId: string;
  minBackupCount: number;
  retentionTime: number;
  activeKeyId: string;
}

@Injectable()
export class InstancesRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  create(tx: Tx, data: NewInstance): Promise<Instance> {
    return tx.instance.create({ data });
  }

  /** The backups config a new instance starts with, encrypting with its platform key. */
  async createConfig(tx: Tx, data: NewBackupsConfig): Promise<void> {
    await tx.backupsConfig.create({ data });
  }

  /** true when the id was ever used, even by a deregistered instance */
  async idTaken(tx: Tx, id: string): Promise<boolean> {
    return (await tx.instance.count({ where: { id } })) > 0;
  }

  /** An instance whether or not it is still registered. */
  find(id: string): Promise<Instance | null> {
    return this.prisma.instance.findUnique({ where: { id } });
  }

  findRegistered(id: string): Promise<Instance | null> {
    return this.prisma.instance.findFirst({ where: { id, deletedAt: null } });
  }

  async findRegisteredIds(ids: string[]): Promise<Set<string>> {
    const rows = await this.prisma.instance.findMany({
      where: { id: { in: ids }, deletedAt: null },
      select: { id: true },
    });
    return new Set(rows.map((r) => r.id));
  }

  listRegistered(): Promise<Instance[]> {
    return this.prisma.instance.findMany({
      where: { deletedAt: null },
      orderBy: { createdAt: 'asc' },
    });
  }

  /** A registered instance's new name and/or sealed credentials; null when not registered. */
  async update(
    id: string,
    data: { name?: string; credentials?: Uint8Array<ArrayBuffer> },
  ): Promise<Instance | null> {
    const { count } = await this.prisma.instance.updateMany({
      where: { id, deletedAt: null },
      data,
    });
    return count > 0 ? this.findRegistered(id) : null;
  }

  /** Deregisters an instance; false when it was not registered. */
  async markDeleted(id: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.instance.updateMany({
      where: { id, deletedAt: null },
      data: { deletedAt: at },
    });
    return count > 0;
  }
}
