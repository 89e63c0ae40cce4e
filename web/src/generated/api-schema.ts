// Generated from docs/openapi.json by `npm run openapi`: do not edit.
/* eslint-disable */
export interface paths {
    "/admin/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit log: every state-changing request, newest first
         * @description Every POST, PUT, PATCH and DELETE to the admin, public and Backup Manager APIs, with who made it, on which instance, and its status; never a body or a secret. Paged: `limit` (1–1000, default 100) per page; when more match, a `Link: <…>; rel="next"` header gives the next page. Kept `AUDIT_RETENTION_DAYS`.
         */
        get: operations["AdminAudit_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the registered instances */
        get: operations["Instances_list"];
        put?: never;
        /** Register an instance */
        post: operations["Instances_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Show an instance (never its credentials) */
        get: operations["Instances_show"];
        put?: never;
        post?: never;
        /** Deregister an instance */
        delete: operations["Instances_deregister"];
        options?: never;
        head?: never;
        /**
         * Rename an instance or give it new credentials
         * @description E.g. after a password rotation: the next backup uses the new connection_url. The type and backup type cannot change.
         */
        patch: operations["Instances_update"];
        trace?: never;
    };
    "/admin/v1/instances/{id}/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check the connection as the worker would
         * @description Reachable, authenticated, server version, the dump privilege and (for continuous archiving) the replication privilege, within UPSTREAM_TIMEOUT_MS. A failed check is still a 200: read `ok` and each step.
         */
        post: operations["Instances_check"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List access tokens (never their secrets) */
        get: operations["Tokens_list"];
        put?: never;
        /** Mint an access token (its secret is shown this once) */
        post: operations["Tokens_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an access token */
        delete: operations["Tokens_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instances/{instance_id}/backups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the backups of an instance, newest first */
        get: operations["Backups_list"];
        put?: never;
        /** Trigger a backup */
        post: operations["Backups_trigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instances/{instance_id}/backups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Show one backup */
        get: operations["Backups_show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/backups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Backups across instances, newest first, with failure reasons
         * @description Paged: `limit` (1–1000, default 100) per page; when more match, a `Link: <…>; rel="next"` header gives the next page.
         */
        get: operations["AdminBackups_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances/{id}/backups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Trigger a backup of an instance
         * @description As `POST /v1/instances/{instance_id}/backups` with the instance’s token: the same answers and the same refusals (409 while a backup or restore of it is queued or running).
         */
        post: operations["AdminInstanceBackups_trigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instances/{instance_id}/backups-config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read the backups config of an instance */
        get: operations["BackupsConfig_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update the backups config: encryption key, retention, exclusion from scheduled backups */
        patch: operations["BackupsConfig_update"];
        trace?: never;
    };
    "/v1/instances/{instance_id}/backups/{id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a backup’s archive
         * @description The archive opens with `openssl enc -aes256 -md md5 -d -pass 'pass:<encryption-key>' | gunzip`. Single byte ranges resume an interrupted download.
         */
        get: operations["Downloads_download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instances/{instance_id}/restores": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the restores of an instance, newest first */
        get: operations["Restores_list"];
        put?: never;
        /**
         * Restore a backup into its instance, or fork it into another
         * @description With `target_instance_id`, the backup is restored into that instance instead (a fork): it must be registered, of the same type, and granted to the token (403 otherwise, 422 for another type). The restore is listed under this instance and names its target.
         */
        post: operations["Restores_trigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instances/{instance_id}/restores/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Show one restore */
        get: operations["Restores_show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances/{id}/restores": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List an instance's restores: into it, from it into others, from others into it
         * @description As `GET /v1/instances/{instance_id}/restores` with a token granted every instance.
         */
        get: operations["AdminInstanceRestores_list"];
        put?: never;
        /**
         * Restore a backup into its instance, to a moment, or fork it into another
         * @description As `POST /v1/instances/{instance_id}/restores` with a token granted every instance: the same body (`backup_id`, `point_in_time`, `target_instance_id`), rules, answers and refusals.
         */
        post: operations["AdminInstanceRestores_trigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instances/{instance_id}/pitr": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The window of moments a continuous-archiving instance can be restored to
         * @description From the end of the oldest kept base backup to the newest commit whose write-ahead log is in storage, over one unbroken stretch of it (`start_time`, `end_time`); `ranges` lists every such stretch, oldest first, when gaps in the archive split it. A restore (`point_in_time`) can pick any moment in a range.
         */
        get: operations["Pitr_window"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances/{id}/pitr": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The window of moments an instance can be restored to
         * @description As `GET /v1/instances/{instance_id}/pitr` with a token granted every instance: the same answer and refusals.
         */
        get: operations["AdminPitr_window"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances/{id}/wal-archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The continuous archiving of an instance: receiver, slot, newest WAL stored, gaps
         * @description A slot whose receiver does not run keeps WAL on the instance: watch retained_bytes (and set max_slot_wal_keep_size on the server).
         */
        get: operations["AdminWalArchive_show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances/{id}/backups/{number}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One backup with its failure reason and its newest verification */
        get: operations["AdminVerification_show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances/{id}/backups/{number}/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Verify a backup: restore it into a scratch server and compare what it holds
         * @description The worker restores the archive into a private server it starts for it (never the instance) and compares each table’s rows with those counted when the backup was made. Follow it in `verification` of the backup.
         */
        post: operations["AdminVerification_verify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The API answers and its database too (kept for existing probes) */
        get: operations["Health_check"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["Health_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: PostgreSQL, Redis and storage answer; how many workers are alive */
        get: operations["Health_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The worker processes alive now, and when each last took a job */
        get: operations["Workers_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics of the shared state (each worker serves its own counters) */
        get: operations["Metrics_scrape"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/backup-manager/instances": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health check of the Backup Manager API */
        get: operations["BackupManager_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/backup-manager/instances/{iid}/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An instance’s backups config */
        get: operations["BackupManager_config"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/backup-manager/instances/{iid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set the encryption key or the exclusion from scheduled backups */
        put: operations["BackupManager_update"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/backup-manager/instances/{iid}/backups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The instance’s backups, newest first */
        get: operations["BackupManager_list"];
        put?: never;
        /** Trigger a backup (201, not 202, for this API’s clients) */
        post: operations["BackupManager_trigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/backup-manager/instances/{iid}/backups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One backup (a deleted one stays readable) */
        get: operations["BackupManager_show"];
        put?: never;
        post?: never;
        /** Delete a backup: its archive goes, its record stays as deleted */
        delete: operations["BackupManager_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/backup-manager/instances/{iid}/backups/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Restore a backup into its instance */
        post: operations["BackupManager_restore"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/backup-manager/instances/{iid}/restores": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The instance’s restores, newest first */
        get: operations["BackupManager_restoresOf"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/backup-manager/instances/{iid}/restores/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One restore */
        get: operations["BackupManager_restoreOf"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the webhooks (never their secrets) */
        get: operations["Webhooks_list"];
        put?: never;
        /**
         * Add a webhook: signed notifications of backups and restores that ended
         * @description Each event is POSTed as JSON with `Backup-Manager-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`, by a worker, with a timeout, and retried with back-off for a day until the receiver answers 2xx.
         */
        post: operations["Webhooks_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Show a webhook (never its secret) */
        get: operations["Webhooks_show"];
        put?: never;
        post?: never;
        /** Remove a webhook; its pending deliveries are not sent */
        delete: operations["Webhooks_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/webhooks/{id}/ping": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a signed `ping` to the webhook’s receiver, to see it answer
         * @description Queued and sent by a worker as any delivery is (signed, with the timeout, retried until the receiver answers 2xx); its outcome is listed in the webhook’s deliveries. The body: `{"id", "event": "ping", "created_at", "data": {"webhook_id"}}`.
         */
        post: operations["Webhooks_ping"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A webhook’s deliveries, newest first, each with its attempts */
        get: operations["Webhooks_deliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/fleet": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every registered instance with its newest success, failure and verification */
        get: operations["Fleet_show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fleet": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The instances this access token is granted, with their newest backup and work
         * @description Not part of the a9s Public API: an addition of this service.
         */
        get: operations["TokenFleet_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instances/{instance_id}/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The instance's queued and running backups and restores, and how far each has come
         * @description Not part of the a9s Public API: an addition of this service. Workers report every second.
         */
        get: operations["Progress_show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/instances/{id}/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An instance's queued and running backups and restores, and how far each has come
         * @description Workers report every second.
         */
        get: operations["AdminProgress_show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instances": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The registered instances this access token is granted
         * @description Not part of the a9s Public API: an addition of this service.
         */
        get: operations["TokenInstances_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AuditRecordResponse: {
            /** @description The record’s id; `before` of the next page. */
            id: string;
            /**
             * Format: date-time
             * @description When the request was answered.
             */
            at: string;
            /**
             * @description Who made it: the admin token, an access token, the Backup Manager API’s credentials, or nobody the service recognised (a refused request).
             * @enum {string}
             */
            actor: "admin" | "token" | "backup-manager" | "anonymous";
            /** @description The access token’s id (`token`). */
            token_id: string | null;
            /** @description The access token’s name (`token`). */
            token_name: string | null;
            /** @description The method and the route: `POST /v1/instances/:instance_id/backups`. */
            action: string;
            /** @description The instance the path names. */
            instance_id: string | null;
            /** @description What else the path names, as `name=value`: a backup, a token, a webhook. */
            target: string | null;
            /** @description The request’s `X-Request-Id`, as in the logs. */
            request_id: string;
            /** @description The client’s address. */
            client_address: string;
            /** @description The HTTP status it was answered with. */
            status: number;
        };
        ErrorBodyDto: {
            /**
             * @description A single word in camel case that uniquely identifies the error condition.
             * @example BackupInProgress
             */
            error: string;
            /**
             * @description A user-facing error message explaining why the request failed.
             * @example A backup of instance "pg-1" is already queued or running.
             */
            description: string;
        };
        RegisterInstanceDto: {
            /** @description The instance id (e.g. the service-instance GUID); generated when absent. */
            id?: string;
            name: string;
            /** @enum {string} */
            type: "postgresql" | "mariadb" | "redis";
            /** @description How to reach the instance, e.g. postgresql://user:password@host:5432/db, with its TLS parameters (see docs/operating.md, TLS); sealed at rest, never returned. Its scheme must fit `type`. */
            connection_url: string;
            /**
             * @description `continuous_archiving` is for postgresql and mariadb instances (422 for redis); a mariadb one is registered only when its connection check passes, binlog settings included.
             * @default standard
             * @enum {string}
             */
            backup_type: "standard" | "continuous_archiving";
        };
        InstanceResponse: {
            id: string;
            name: string;
            /** @enum {string} */
            type: "postgresql" | "mariadb" | "redis";
            /** @enum {string} */
            backup_type: "standard" | "continuous_archiving";
            /** Format: date-time */
            created_at: string;
        };
        PatchInstanceDto: {
            name?: string;
            /** @description How to reach the instance now (e.g. after a password rotation), validated as at registration; sealed at rest, never returned. The next backup uses it. */
            connection_url?: string;
            /**
             * @description Only the current value is accepted.
             * @enum {string}
             */
            type?: "postgresql" | "mariadb" | "redis";
            /**
             * @description Only the current value is accepted.
             * @enum {string}
             */
            backup_type?: "standard" | "continuous_archiving";
        };
        CheckItemResponse: {
            /** @enum {string} */
            step: "reachable" | "authenticated" | "server_version" | "dump_privilege" | "replication_privilege" | "binlog_settings";
            /**
             * @description `skipped`: not tried because an earlier step failed; `unknown`: the server would not say.
             * @enum {string}
             */
            status: "passed" | "failed" | "skipped" | "unknown";
            /** @description Whether backups of this instance need this step to pass. */
            required: boolean;
            /** @description What was found, in a sentence an operator can act on. */
            message: string;
        };
        ConnectionCheckResponse: {
            /** @description No required step failed: the worker can back this instance up. */
            ok: boolean;
            /** @example 15.4 */
            server_version: string | null;
            checks: components["schemas"]["CheckItemResponse"][];
        };
        CreateTokenDto: {
            name: string;
            /** @description Instance ids, or ["*"] for every instance. */
            instances: string[];
            /**
             * Format: date-time
             * @description When the token stops working; must lie in the future (a past time is a 422).
             */
            expires_at?: string;
        };
        CreatedTokenResponse: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @description Instance ids, or ["*"] for every instance. */
            instances: string[];
            /** Format: date-time */
            expires_at: string | null;
            /** Format: date-time */
            revoked_at: string | null;
            /** Format: date-time */
            created_at: string;
            /** @description The bearer token; shown once, stored only as a hash. */
            token: string;
        };
        TokenResponse: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @description Instance ids, or ["*"] for every instance. */
            instances: string[];
            /** Format: date-time */
            expires_at: string | null;
            /** Format: date-time */
            revoked_at: string | null;
            /** Format: date-time */
            created_at: string;
        };
        BackupResponse: {
            /**
             * @description The internal ID of the backup within the Service Instance.
             * @example 3
             */
            id: number;
            /**
             * @description The ID of the backup within the Backup Manager and the storage itself: `<instance id>-<epoch milliseconds at trigger>`.
             * @example pg-1-1618882202898
             */
            backup_id: string;
            /**
             * @description The size of the backup, in bytes.
             * @example 2792
             */
            size: number;
            /**
             * @description The status of the task.
             * @enum {string}
             */
            status: "queued" | "running" | "done" | "failed" | "deleted";
            /**
             * Format: date-time
             * @description The date the task was triggered, in ISO 8601 UTC time.
             */
            triggered_at: string;
            /**
             * Format: date-time
             * @description The date the task was picked up for processing, in ISO 8601 UTC time.
             */
            started_at: string | null;
            /**
             * Format: date-time
             * @description The date on which the status of the task was last changed, in ISO 8601 UTC time.
             */
            finished_at: string | null;
            /** @description Indicates if the backup can be downloaded: done, encrypted with a key the user set before it was triggered, and downloads enabled. */
            downloadable: boolean;
            /**
             * @description Only on a failed backup: why it failed, in words safe to show (never a secret).
             * @example pg_dump exited with code 1: FATAL: database "shop" does not exist
             */
            failure_reason?: string;
        };
        BackupQueuedResponse: {
            /** @description The internal ID of the backup within the Service Instance. */
            id: number;
            /**
             * @description The status of the task.
             * @example job to backup is queued
             */
            message: string;
        };
        VerificationResponse: {
            /** @enum {string} */
            status: "running" | "verified" | "failed";
            /**
             * Format: date-time
             * @description When the backup was verified: the end of a verification that succeeded (null while one runs, or when it failed).
             */
            verified_at: string | null;
            /** @description How long the worker took, in milliseconds (null while it runs). */
            duration_ms: number | null;
            /** @description Tables the scratch server held after the restore (Redis: logical databases with keys). */
            tables: number | null;
            /** @description Rows in those tables (Redis: keys). */
            rows: number | null;
            /** @description Why it failed (null unless failed), e.g. the table whose rows differ. */
            failure_reason: string | null;
        };
        AdminBackupResponse: {
            /** @description The instance the backup belongs to. */
            instance_id: string;
            /** @description The ID of the backup within its instance. */
            id: number;
            /** @description `<instance id>-<epoch milliseconds at trigger>`. */
            backup_id: string;
            /** @enum {string} */
            status: "queued" | "running" | "done" | "failed" | "deleted";
            /**
             * @description Who started it.
             * @enum {string}
             */
            trigger: "manual" | "scheduled";
            /** @description The size of the stored archive, in bytes. */
            size: number;
            /** Format: date-time */
            triggered_at: string;
            /** Format: date-time */
            started_at: string | null;
            /** Format: date-time */
            finished_at: string | null;
            /** @description Why a failed backup failed (null unless failed); never a secret. */
            failure_reason: string | null;
            /** @description The newest verification of the backup (restored into a scratch server); absent when it was never verified. */
            verification?: components["schemas"]["VerificationResponse"];
        };
        BackupsConfigResponse: {
            /**
             * @description The minimum amount of backups per instance. When the amount of backups exceeds this number, the older backups will be deleted. The minimum value is 0.
             * @example 5
             */
            min_backup_count: number;
            /**
             * @description The retention time is measured in days and defines a time range after which backups are deleted. The minimum value is 0.
             * @example 5
             */
            retention_time: number;
            /**
             * @description The minimum length of the backups' encryption key.
             * @example 8
             */
            min_encryption_key_length: number;
            /**
             * @description States whether this instance will be excluded from scheduled backups.
             * @example false
             */
            exclude_from_auto_backup: boolean;
            /**
             * @description The backup type of a Service Instance.
             * @enum {string}
             */
            backup_type: "standard" | "continuous_archiving";
        };
        UpdateBackupsConfigDto: {
            /** @description The new backup encryption key, for backups triggered from now on. Never returned: keep it in a safe place. */
            encryption_key?: string;
            /** @description The minimum amount of backups per instance. */
            min_backup_count?: number;
            /** @description Days after which backups are deleted. */
            retention_time?: number;
            /** @description States whether this instance will be excluded from scheduled backups. */
            exclude_from_auto_backup?: boolean;
        };
        InstanceUpdatedResponse: {
            /** @example instance updated */
            message: string;
        };
        DownloadErrorBodyDto: {
            /** @description A user-facing message that can be used to tell the user what went wrong. */
            message: string;
            /**
             * @description The status code of the error.
             * @example 412
             */
            status: number;
        };
        CreateRestoreDto: {
            /** @description The integer id of the backup to restore. Give either this or `point_in_time`. */
            backup_id?: number;
            /**
             * Format: date-time
             * @description Continuous-archiving instances only: the moment (ISO 8601 with its offset, e.g. `2026-12-02T10:15:30.250Z`, read to the microsecond) to bring the instance back to, inside a range `GET /v1/instances/{instance_id}/pitr` gives: the instance then holds exactly the transactions committed at or before it. Give either this or `backup_id`.
             */
            point_in_time?: string;
            /** @description Fork: restore into this other instance (of the same type, and granted to the token too) instead; the instance of the route is not touched. */
            target_instance_id?: string;
        };
        RestoreQueuedResponse: {
            /** @description The ID of the restore within the Service Instance. */
            id: number;
            /** @example job to restore is queued */
            message: string;
        };
        RestoreMetadata: {
            /**
             * Format: date-time
             * @description The triggered_at of the backup restored; for a point-in-time restore, the moment chosen.
             */
            restored_from: string;
        };
        RestoreResponse: {
            /** @description The ID of the restore within the Service Instance. */
            id: number;
            /** @description The ID of the backup restored, within the Service Instance. */
            backup_id: number;
            /** @enum {string} */
            status: "queued" | "running" | "done" | "failed";
            /** Format: date-time */
            triggered_at: string;
            /** Format: date-time */
            started_at: string | null;
            /** Format: date-time */
            finished_at: string | null;
            metadata: components["schemas"]["RestoreMetadata"];
            /** @description Only on a failed restore: what went wrong, in words for a person, with no secret. */
            failure_reason?: string;
            /** @description Only on a fork: the other instance the backup was restored into. */
            target_instance_id?: string;
            /** @description Only in the list of a fork's target: the instance the backup came from; `id` and `backup_id` are that instance's. */
            source_instance_id?: string;
        };
        PitrRangeResponse: {
            /**
             * Format: date-time
             * @description The end of its oldest kept base backup.
             */
            start_time: string;
            /**
             * Format: date-time
             * @description The newest moment its write-ahead log shows, rounded up to the millisecond: a restore to it holds everything stored.
             */
            end_time: string;
        };
        PitrWindowResponse: {
            /**
             * Format: date-time
             * @description Where the newest range starts: the end of its oldest kept base backup (ranges lists older ones).
             */
            start_time: string;
            /**
             * Format: date-time
             * @description The newest moment whose write-ahead log is in storage (its newest commit), rounded up to the millisecond: a restore to it holds everything stored.
             */
            end_time: string;
            /** @description Every stretch that can be restored to, oldest first; the last is start_time to end_time. Two ranges are apart where the write-ahead log has a gap: moments before it stay restorable from the base backups before it. */
            ranges: components["schemas"]["PitrRangeResponse"][];
        };
        WalReceiverState: {
            /**
             * @description `unassigned`: no worker holds the receiver right now (none running, or its worker stopped renewing; another takes over within a minute).
             * @enum {string}
             */
            state: "idle" | "starting" | "streaming" | "failed" | "unassigned";
            /** @description Why it last failed, in words. */
            last_error: string | null;
            /** Format: date-time */
            updated_at: string;
        };
        WalSlotState: {
            /** @description The physical replication slot on the instance. */
            name: string;
            /** @description The slot’s wal_status as the server last said (reserved, extended, unreserved, lost). */
            wal_status: string | null;
            /** @description Bytes of WAL the server keeps for the slot (its current position minus the slot’s restart_lsn), read every 30 s whether or not a worker receives the WAL. */
            retained_bytes: number | null;
        };
        WalPieceState: {
            /** @example 000000010000000000000003 */
            segment: string | null;
            /**
             * @description The LSN up to which storage holds the WAL.
             * @example 0/3A2B1C0
             */
            end_lsn: string | null;
            /** Format: date-time */
            shipped_at: string | null;
        };
        WalGapState: {
            from_lsn: string;
            to_lsn: string;
            reason: string;
            /** Format: date-time */
            last_good_at: string | null;
            /** Format: date-time */
            detected_at: string;
            /**
             * Format: date-time
             * @description When the base backup that restarts the window was queued.
             */
            backup_requested_at: string | null;
        };
        WalArchiveResponse: {
            receiver: components["schemas"]["WalReceiverState"];
            slot: components["schemas"]["WalSlotState"];
            /** @description The newest WAL in storage. */
            last_shipped: components["schemas"]["WalPieceState"];
            /** @description Gaps in the archive, newest first. */
            gaps: components["schemas"]["WalGapState"][];
        };
        WorkerResponse: {
            /**
             * Format: uuid
             * @description Chosen by the worker process when it started.
             */
            id: string;
            hostname: string;
            pid: number;
            /** Format: date-time */
            started_at: string;
            /**
             * Format: date-time
             * @description When it last reported itself alive.
             */
            seen_at: string;
            /** Format: date-time */
            last_job_at: string | null;
        };
        UpdateInstanceDto: {
            /** @description The new backup encryption key, for backups triggered from now on. Never returned: keep it in a safe place. */
            encryption_key?: string;
            /** @description States whether this instance will be excluded from scheduled backups. */
            exclude_from_auto_backup?: boolean;
            /** @description Sent by platform components when the user changed the instance credentials. true: the backup manager checks that the credentials it holds still work (the platform operator updates them with PATCH /admin/v1/instances/:id) and answers 422 `CredentialsOutdated`, changing nothing, when they do not; false: nothing to do. */
            credentials_updated_by_user?: boolean;
        };
        CreateWebhookDto: {
            /**
             * @description Where deliveries are POSTed: an http(s) URL without credentials (the signature authenticates each delivery).
             * @example https://hooks.example.com/backups
             */
            url: string;
            events: ("backup.done" | "backup.failed" | "restore.done" | "restore.failed" | "verification.failed" | "wal.gap" | "wal.receiver_failed")[];
            /** @description The signing secret (16 to 256 characters); generated and shown once in the answer when absent. Never returned again. */
            secret?: string;
        };
        CreatedWebhookResponse: {
            /** Format: uuid */
            id: string;
            url: string;
            events: ("backup.done" | "backup.failed" | "restore.done" | "restore.failed" | "verification.failed" | "wal.gap" | "wal.receiver_failed")[];
            /** Format: date-time */
            created_at: string;
            /** @description The generated signing secret; shown once. */
            secret?: string;
        };
        WebhookResponse: {
            /** Format: uuid */
            id: string;
            url: string;
            events: ("backup.done" | "backup.failed" | "restore.done" | "restore.failed" | "verification.failed" | "wal.gap" | "wal.receiver_failed")[];
            /** Format: date-time */
            created_at: string;
        };
        DeliveryAttemptResponse: {
            /** Format: date-time */
            at: string;
            /** @description The receiver’s HTTP status; null when it never answered. */
            status_code: number | null;
            /** @description Why the attempt failed, if it did. */
            error: string | null;
            duration_ms: number;
        };
        DeliveryResponse: {
            /**
             * Format: uuid
             * @description Also the `id` of the body and the Backup-Manager-Delivery header.
             */
            id: string;
            /**
             * @description `ping`: sent on request (`POST /admin/v1/webhooks/{id}/ping`).
             * @enum {string}
             */
            event: "backup.done" | "backup.failed" | "restore.done" | "restore.failed" | "verification.failed" | "wal.gap" | "wal.receiver_failed" | "ping";
            /**
             * @description `failed`: no attempt succeeded within a day; no more are made.
             * @enum {string}
             */
            status: "pending" | "delivered" | "failed";
            attempts: number;
            attempt_log: components["schemas"]["DeliveryAttemptResponse"][];
            /**
             * Format: date-time
             * @description When the next attempt is due, while pending.
             */
            next_attempt_at: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            finished_at: string | null;
            /** @description The JSON body sent, as sent. */
            payload: {
                [key: string]: unknown;
            };
        };
        FleetInstance: {
            id: string;
            name: string;
            /** @enum {string} */
            type: "postgresql" | "mariadb" | "redis";
            /** @enum {string} */
            backup_type: "standard" | "continuous_archiving";
            /**
             * Format: date-time
             * @description When it was registered: an instance with no backup yet is pending, not overdue, for its first 26 h.
             */
            created_at: string;
            /**
             * Format: date-time
             * @description When its newest done backup finished; null when it has none.
             */
            last_success_at: string | null;
            /**
             * Format: date-time
             * @description When its newest backup failed, if that is newer than its newest done one.
             */
            last_failure_at: string | null;
            /** @description Why that backup failed. */
            last_failure_reason: string | null;
            /** @description Its newest verification: running, verified or failed; null when none was made. */
            verification_status: string | null;
            /**
             * Format: date-time
             * @description When that verification succeeded; null unless it is verified.
             */
            verified_at: string | null;
            /** @description Whether a backup or restore of it is queued or running. */
            running: boolean;
            /** @description While a backup of it runs: the bytes of archive written so far (null before its first report, or when none runs). */
            running_bytes: number | null;
            /** @description The size of its newest done backup, which a running backup is measured against; null when it has none. */
            expected_bytes: number | null;
            /**
             * Format: date-time
             * @description Continuous archiving: the earliest moment a restore can reach (as GET /v1/instances/{id}/pitr); null for a standard instance or before the window opens.
             */
            pitr_start: string | null;
            /**
             * Format: date-time
             * @description Continuous archiving: the newest moment a restore can reach; null as above.
             */
            pitr_end: string | null;
        };
        FleetResponse: {
            /** @description Worker processes that reported themselves alive in the last 30 s. */
            workers_alive: number;
            /** @description Jobs waiting in the queues (null when Redis did not answer in time). */
            jobs_waiting: number | null;
            instances: components["schemas"]["FleetInstance"][];
        };
        BackupProgress: {
            /** @description The backup's id within its instance. */
            id: number;
            /** @enum {string} */
            status: "queued" | "running";
            /** @description The dump's bytes read so far; null until the worker's first report. */
            bytes_read: number | null;
            /** @description The archive's bytes written so far; null until the worker's first report. */
            bytes_written: number | null;
            /** @description An estimate of the archive's final size: the size of the instance's newest done backup; null when it has none. */
            expected_bytes: number | null;
        };
        RestoreProgress: {
            /** @description The restore's id within its instance. */
            id: number;
            /** @description The id of the backup it puts back. */
            backup_id: number;
            /** @enum {string} */
            status: "queued" | "running";
            /** @description The archive's bytes read so far; null until the worker's first report. */
            bytes_read: number | null;
            /** @description The archive's size: bytes_read reaches it at the end. */
            size: number;
            /** @description A fork of another instance into this one: that instance (whose ids `id` and `backup_id` are); null for its own. */
            source_instance_id: string | null;
        };
        ProgressResponse: {
            backups: components["schemas"]["BackupProgress"][];
            restores: components["schemas"]["RestoreProgress"][];
        };
    };
    responses: {
        /** @description The request is malformed: a control character or broken percent-encoding in the path, or a header Node cannot parse. */
        ErrorBody400: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBodyDto"];
            };
        };
        /** @description The path exists with other methods; `Allow` lists them. */
        ErrorBody405: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBodyDto"];
            };
        };
        /** @description The request body is larger than 100 kB. */
        ErrorBody413: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBodyDto"];
            };
        };
        /** @description The request body is JSON in a charset other than UTF-8. */
        ErrorBody415: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBodyDto"];
            };
        };
        /** @description This client address failed to authenticate AUTH_FAILURES_PER_MINUTE times within the last minute; `Retry-After` says when to try again. */
        ErrorBody429: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBodyDto"];
            };
        };
        /** @description The request headers are too large. */
        ErrorBody431: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBodyDto"];
            };
        };
        /** @description The request is malformed: a control character or broken percent-encoding in the path, or a header Node cannot parse. */
        DownloadErrorBody400: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["DownloadErrorBodyDto"];
            };
        };
        /** @description The path exists with other methods; `Allow` lists them. */
        DownloadErrorBody405: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["DownloadErrorBodyDto"];
            };
        };
        /** @description The request body is larger than 100 kB. */
        DownloadErrorBody413: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["DownloadErrorBodyDto"];
            };
        };
        /** @description The request body is JSON in a charset other than UTF-8. */
        DownloadErrorBody415: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["DownloadErrorBodyDto"];
            };
        };
        /** @description The request headers are too large. */
        DownloadErrorBody431: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["DownloadErrorBodyDto"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    AdminAudit_list: {
        parameters: {
            query?: {
                /** @description Only requests on this instance. */
                instance_id?: string;
                actor?: "admin" | "token" | "backup-manager" | "anonymous";
                /** @description Only this action, as listed: `POST /v1/instances/:instance_id/backups`. */
                action?: string;
                /** @description Only requests at or after this time. */
                since?: string;
                /** @description Only requests before this time. */
                until?: string;
                limit?: number;
                /** @description The cursor of a "next" link; start without it. */
                before?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditRecordResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Instances_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Instances_register: {
        parameters: {
            query?: {
                /** @description true: connect as the worker would first and refuse with 422, changing nothing, when a required step of the check fails. */
                check?: "true" | "false";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterInstanceDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description An instance with this id is registered, or was (ids are never reused). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description Invalid body, or with ?check=true the connection check failed (the description says how). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Instances_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Instances_deregister: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deregistered. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Instances_update: {
        parameters: {
            query?: {
                /** @description true: connect as the worker would first and refuse with 422, changing nothing, when a required step of the check fails. */
                check?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatchInstanceDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description Invalid body, a changed type, or with ?check=true a failed connection check; nothing was changed. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Instances_check: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionCheckResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Tokens_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Tokens_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTokenDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedTokenResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Tokens_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Backups_list: {
        parameters: {
            query?: {
                /** @description Only backups older than the one with this id. */
                before?: number;
                /** @description At most this many backups (default: all). */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The whole list, or with `limit` a page of it; when older backups exist beyond the page, a `Link: <…>; rel="next"` header (RFC 8288) names the next one. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Backups_trigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupQueuedResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description A backup or restore of this instance is already queued or running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description Redis or the storage backend refused or answered with an error; nothing was queued. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description Redis or the storage backend did not answer in time; nothing was queued. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Backups_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of the backup within the Service Instance (1, 2, 3…). */
                id: number;
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    AdminBackups_list: {
        parameters: {
            query?: {
                status?: "queued" | "running" | "done" | "failed" | "deleted";
                /** @description Only this instance’s backups. */
                instance_id?: string;
                /** @description Only backups triggered at or after this time. */
                since?: string;
                limit?: number;
                /** @description The cursor of a "next" link; start without it. */
                before?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminBackupResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    AdminInstanceBackups_trigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id of a registered instance. */
                id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupQueuedResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description A backup or restore of this instance is already queued or running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description Redis or the storage backend refused or answered with an error; nothing was queued. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description Redis or the storage backend did not answer in time; nothing was queued. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupsConfig_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupsConfigResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupsConfig_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateBackupsConfigDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceUpdatedResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Downloads_download: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of the backup within the Service Instance (1, 2, 3…). */
                id: number;
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The whole archive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description The requested byte range. */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["DownloadErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadErrorBodyDto"];
                };
            };
            405: components["responses"]["DownloadErrorBody405"];
            /** @description The instance or backup does not exist, or the backup is not downloadable (the message says why). */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadErrorBodyDto"];
                };
            };
            413: components["responses"]["DownloadErrorBody413"];
            415: components["responses"]["DownloadErrorBody415"];
            /** @description The requested byte range lies outside the archive. */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadErrorBodyDto"];
                };
            };
            431: components["responses"]["DownloadErrorBody431"];
            /** @description Redis or the storage backend refused or answered with an error; nothing was queued. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadErrorBodyDto"];
                };
            };
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadErrorBodyDto"];
                };
            };
            /** @description Redis or the storage backend did not answer in time; nothing was queued. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadErrorBodyDto"];
                };
            };
        };
    };
    Restores_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Restores_trigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateRestoreDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreQueuedResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description A backup or restore of this instance is already queued or running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            431: components["responses"]["ErrorBody431"];
            /** @description Redis or the storage backend refused or answered with an error; nothing was queued. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description Redis or the storage backend did not answer in time; nothing was queued. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Restores_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of the restore within the Service Instance (1, 2, 3…). */
                id: number;
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    AdminInstanceRestores_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id of a registered instance. */
                id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
        };
    };
    AdminInstanceRestores_trigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id of a registered instance. */
                id: unknown;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateRestoreDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreQueuedResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description A backup or restore of this instance is already queued or running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description Redis or the storage backend refused or answered with an error; nothing was queued. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description Redis or the storage backend did not answer in time; nothing was queued. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Pitr_window: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PitrWindowResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description PointInTimeUnavailable: the instance is not archived continuously (backup_type standard), or its window has not opened yet. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    AdminPitr_window: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id of a registered instance. */
                id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PitrWindowResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description PointInTimeUnavailable: the instance is not archived continuously (backup_type standard), or its window has not opened yet. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    AdminWalArchive_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WalArchiveResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description PointInTimeUnavailable: the instance is not archived continuously. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    AdminVerification_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id of a registered instance. */
                id: string;
                /** @description The id of the backup within the instance (1, 2, 3…). */
                number: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminBackupResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    AdminVerification_verify: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id of a registered instance. */
                id: string;
                /** @description The id of the backup within the instance (1, 2, 3…). */
                number: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerificationResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description Conflict: the backup is not done, or is being verified already. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description Redis or the storage backend refused or answered with an error; nothing was queued. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description Redis or the storage backend did not answer in time; nothing was queued. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Health_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            400: components["responses"]["ErrorBody400"];
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
        };
    };
    Health_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            400: components["responses"]["ErrorBody400"];
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
        };
    };
    Health_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every dependency is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "error";
                        info?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "down";
                                message?: string;
                            };
                        };
                        error?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "down";
                                message?: string;
                            };
                        };
                        details: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "down";
                                message?: string;
                            };
                        };
                    };
                };
            };
            400: components["responses"]["ErrorBody400"];
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description `error` names each dependency that is down, and why. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "error";
                        info?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "down";
                                message?: string;
                            };
                        };
                        error?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "down";
                                message?: string;
                            };
                        };
                        details: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "down";
                                message?: string;
                            };
                        };
                    };
                };
            };
        };
    };
    Workers_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkerResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Metrics_scrape: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Prometheus text format, version 0.0.4. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description No bearer METRICS_TOKEN or admin token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
        };
    };
    BackupManager_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
        };
    };
    BackupManager_config: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupsConfigResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupManager_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateInstanceDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceUpdatedResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupManager_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupManager_trigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupQueuedResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description A backup or restore of this instance is already queued or running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description Redis or the storage backend refused or answered with an error; nothing was queued. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description Redis or the storage backend did not answer in time; nothing was queued. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupManager_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The backup id within the instance. */
                id: unknown;
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupManager_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The backup id within the instance. */
                id: unknown;
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description A backup or restore of this instance is already queued or running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description A restore of this backup is queued or running; delete it once the restore has ended. */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupManager_restore: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The backup id within the instance. */
                id: unknown;
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description A backup or restore of this instance is already queued or running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description Redis or the storage backend refused or answered with an error; nothing was queued. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description Redis or the storage backend did not answer in time; nothing was queued. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupManager_restoresOf: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    BackupManager_restoreOf: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The restore id within the instance. */
                id: unknown;
                /** @description The instance id. */
                iid: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            /** @description The instance was deregistered (Backup Manager API). */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Webhooks_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Webhooks_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateWebhookDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedWebhookResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Webhooks_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Webhooks_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Webhooks_ping: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Webhooks_deliveries: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            /** @description The request body or query is invalid; nothing was changed. The description names every offending field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Fleet_show: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FleetResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    TokenFleet_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FleetInstance"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    Progress_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of a previously provisioned Service Instance. */
                instance_id: unknown;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProgressResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description The access token is not granted this instance. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    AdminProgress_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProgressResponse"];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            /** @description No such instance (deleted ones included), or no such record within it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            429: components["responses"]["ErrorBody429"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
    TokenInstances_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceResponse"][];
                };
            };
            400: components["responses"]["ErrorBody400"];
            /** @description Missing, malformed, unknown, revoked or expired credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
            405: components["responses"]["ErrorBody405"];
            413: components["responses"]["ErrorBody413"];
            415: components["responses"]["ErrorBody415"];
            431: components["responses"]["ErrorBody431"];
            /** @description The service’s own database is unreachable; `Retry-After` says when to try again. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBodyDto"];
                };
            };
        };
    };
}
