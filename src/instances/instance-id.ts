/**
 * Instance ids are platform ids such as Cloud Foundry service-instance GUIDs. They end up in
 * backup ids and storage keys, so only letters, digits, '-' and '_' are allowed.
 */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
