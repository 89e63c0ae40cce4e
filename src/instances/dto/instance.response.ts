import type { Instance } from '../../generated/prisma/client';

export interface InstanceResponse {
  id: string;
  name: string;
  type: string;
  backup_type: string;
  created_at: string;
}

/** An instance as operators see it: never its credentials. */
export function toInstanceResponse(i: Instance): InstanceResponse {
  return {
    id: i.id,
    name: i.name,
    type: i.type,
    backup_type: i.backupType,
    created_at: i.createdAt.toISOString(),
  };
}
