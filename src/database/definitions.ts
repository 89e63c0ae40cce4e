import { BACKUP_JSON_FUNCTIONS } from './backup-json';
import { DatabaseDefinition } from './definition';
import { FUNCTIONS } from './functions';
import { TRIGGERS } from './triggers';
import { backupsView } from './views';

/**
 * Every function, view and trigger of the service's database, from the Prisma schema's text
 * (prisma/schema.prisma, which the views are generated from).
 */
export function databaseDefinitions(schema: string): DatabaseDefinition[] {
  return [...FUNCTIONS, ...BACKUP_JSON_FUNCTIONS, backupsView(schema), ...TRIGGERS];
}
