/** The context that binds an instance's sealed connection URL to that instance's row. */
export const credentialsContext = (instanceId: string) => `instance-credentials:${instanceId}`;
