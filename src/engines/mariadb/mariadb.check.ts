import { spawn } from 'node:child_process';
import { CheckOptions, ConnectionCheckResult, runCheck } from '../shared/connection-check';
import { baseEnvironment, lastLines, redact, spawnFailure } from '../shared/dump-process';
import { clientOptions } from './mariadb-options';

const STEPS = ['reachable', 'authenticated', 'server_version', 'dump_privilege'] as const;
/** Continuous archiving checks the binlog too. */
const ARCHIVING_STEPS = [...STEPS, 'replication_privilege', 'binlog_settings'] as const;

/**
 * What continuous archiving needs of the source, read in one statement: the binlog settings and
 * whether the user holds the replication privileges (as the server reports the user's own).
 */
const BINLOG_PROBE = `SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id,
  (SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'REPLICATION SLAVE'),
  (SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES
     WHERE PRIVILEGE_TYPE IN ('BINLOG MONITOR', 'REPLICATION CLIENT', 'SUPER'))`;

/**
 * What is wrong with the source's binlog settings for continuous archiving (one sentence each);
 * empty when nothing is.
 */
export function binlogSettingsProblems(settings: {
  logBin: string;
  format: string;
  rowImage: string;
  serverId: string;
}): string[] {
  const problems: string[] = [];
  if (settings.logBin !== '1') {
    problems.push('log_bin is OFF: start the server with log_bin (the binary log) on.');
  }
  if (settings.format.toUpperCase() !== 'ROW') {
    problems.push(
      `binlog_format is ${settings.format}: it must be ROW (SET GLOBAL binlog_format = 'ROW' and in the server's configuration), so that replay repeats exactly what was written.`,
    );
  }
  if (settings.rowImage.toUpperCase() !== 'FULL') {
    problems.push(`binlog_row_image is ${settings.rowImage}: it must be FULL.`);
  }
  if (settings.serverId === '0') {
    problems.push('server_id is 0: give the server a server_id of its own.');
  }
  return problems;
}

/**
 * Reads nothing, but fails on the first table the user may not SELECT from: one statement over
 * every table of the database, `WHERE 0`.
 */
const SELECT_PROBE = `
SET SESSION group_concat_max_len = 4294967295;
SELECT IFNULL(GROUP_CONCAT(CONCAT('SELECT 1 FROM \`', REPLACE(table_name, '\`', '\`\`'), '\` WHERE 0') SEPARATOR ' UNION ALL '), 'DO 0')
  INTO @bm_probe FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE';
PREPARE bm_probe FROM @bm_probe; EXECUTE bm_probe; DEALLOCATE PREPARE bm_probe;
`;

interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Connects with the mariadb tools as the worker would (same option file) and says what works. */
export function checkMariadb(
  connectionUrl: string,
  options: CheckOptions,
): Promise<ConnectionCheckResult> {
  const url = new URL(connectionUrl);
  const target = `${url.hostname}:${url.port || '3306'}`;
  const user = decodeURIComponent(url.username);
  const steps = options.replicationRequired ? ARCHIVING_STEPS : STEPS;
  return runCheck(target, steps, options, async (report, signal) => {
    const { optionFile, database, password, cleanup } = clientOptions(connectionUrl);
    const run = (command: string, args: string[], stdin = ''): Promise<ToolRun> =>
      new Promise((resolve, reject) => {
        const child = spawn(command, [`--defaults-extra-file=${optionFile}`, ...args], {
          env: baseEnvironment(),
          stdio: ['pipe', 'pipe', 'pipe'],
          signal,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-4000)));
        child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
        child.stdin.on('error', () => undefined);
        child.stdin.end(stdin);
        child.once('error', (err: NodeJS.ErrnoException) =>
          err.name === 'AbortError'
            ? resolve({ code: null, stdout, stderr })
            : reject(new Error(spawnFailure(command, err))),
        );
        child.once('close', (code) =>
          resolve({ code, stdout, stderr: redact(stderr, [password]).trim() }),
        );
      });
    try {
      const seconds = String(Math.max(1, Math.ceil(options.timeoutMs / 1000)));
      const hello = await run('mariadb', [
        `--connect-timeout=${seconds}`,
        '--batch',
        '--skip-column-names',
        '-e',
        'SELECT VERSION()',
        database,
      ]);
      if (signal.aborted) return;
      if (hello.code !== 0) {
        const error = Number(/ERROR (\d+)/.exec(hello.stderr)?.[1]);
        const said = lastLines(hello.stderr, 1);
        if (error === 2002 || error === 2003 || error === 2013) {
          return report.fail(
            'reachable',
            `Nothing answers as MariaDB at ${target}: check the host and port of connection_url (${said}).`,
          );
        }
        if (error === 2005) {
          return report.fail(
            'reachable',
            `The host name of ${target} does not resolve: check the host of connection_url.`,
          );
        }
        report.pass('reachable', `${target} answers.`);
        if (error === 1045) {
          return report.fail(
            'authenticated',
            `MariaDB refused the password of user "${user}": set the current password in connection_url (PATCH /admin/v1/instances/:id).`,
          );
        }
        if (error === 1049) {
          return report.fail(
            'authenticated',
            `The database "${database}" does not exist on ${target}: check the database of connection_url.`,
          );
        }
        if (error === 1044) {
          return report.fail(
            'authenticated',
            `User "${user}" may not use the database "${database}": grant it access (${said}).`,
          );
        }
        return report.fail(
          'authenticated',
          `MariaDB refused the connection: ${said || `mariadb exited with code ${hello.code}`}.`,
        );
      }
      const version = hello.stdout.trim();
      report.serverVersion = version;
      report.pass('reachable', `${target} answers.`);
      report.pass('authenticated', `Logged in as user "${user}" to database "${database}".`);
      report.pass('server_version', `MariaDB ${version}.`);

      const probe = await run('mariadb', ['--batch', database], SELECT_PROBE);
      if (signal.aborted) return;
      if (probe.code !== 0) {
        return report.fail(
          'dump_privilege',
          `User "${user}" cannot read every table, so mariadb-dump would fail: grant it SELECT on ${database}.* (${lastLines(probe.stderr, 1)}).`,
        );
      }
      // the worker's own flags, without the data: views, triggers, routines and events
      const schema = await run('mariadb-dump', [
        '--no-data',
        '--single-transaction',
        '--routines',
        '--triggers',
        '--events',
        '--result-file=/dev/null',
        database,
      ]);
      if (signal.aborted) return;
      if (schema.code !== 0) {
        return report.fail(
          'dump_privilege',
          `mariadb-dump would fail for user "${user}": ${lastLines(schema.stderr, 1)}; grant it SELECT, SHOW VIEW, TRIGGER and EVENT on ${database}.*.`,
        );
      }
      report.pass(
        'dump_privilege',
        `User "${user}" can read every table, view, trigger, routine and event mariadb-dump reads.`,
      );
      if (!options.replicationRequired) return;
      const binlog = await run('mariadb', ['--batch', '--skip-column-names', '-e', BINLOG_PROBE]);
      if (signal.aborted) return;
      if (binlog.code !== 0) {
        return report.fail(
          'replication_privilege',
          `The binlog settings could not be read: ${lastLines(binlog.stderr, 1)}.`,
        );
      }
      const [logBin, format, rowImage, serverId, slave, monitor] = binlog.stdout.trim().split('\t');
      const missing = [
        ...(slave === '0' ? ['REPLICATION SLAVE'] : []),
        ...(monitor === '0' ? ['BINLOG MONITOR'] : []),
      ];
      if (missing.length > 0) {
        report.fail(
          'replication_privilege',
          `User "${user}" lacks ${missing.join(' and ')}, which reading the binlog as a replica needs: GRANT ${missing.join(', ')} ON *.* TO the user.`,
        );
      } else {
        report.pass(
          'replication_privilege',
          `User "${user}" holds REPLICATION SLAVE and BINLOG MONITOR: it can read the binlog as a replica.`,
        );
      }
      const problems = binlogSettingsProblems({ logBin, format, rowImage, serverId });
      if (problems.length > 0) {
        return report.fail(
          'binlog_settings',
          `The server's binlog does not suit continuous archiving: ${problems.join(' ')}`,
        );
      }
      report.pass(
        'binlog_settings',
        `The binlog is on, in ROW format with FULL row images, from server_id ${serverId}.`,
      );
    } finally {
      cleanup();
    }
  });
}
