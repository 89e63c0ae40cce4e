import { TableBox } from './table-box';
import { FleetInstance } from '../api';
import { age, overdue } from './age';
import { size } from './size';
import { urgencyOf } from './urgency';

function LastSuccess({ i, now }: { i: FleetInstance; now: number }) {
  const u = urgencyOf(i, now);
  if (i.last_success_at === null) {
    return u === 'pending' ? (
      <td class="pending">
        none yet <span class="reason">(pending: registered {age(i.created_at, now)} ago)</span>
      </td>
    ) : (
      <td class="late">
        never<span class="visually-hidden"> (overdue)</span>
      </td>
    );
  }
  const late = overdue(i.last_success_at, now);
  return (
    <td class={late ? 'late' : undefined}>
      {age(i.last_success_at, now)} ago
      {late && <span class="visually-hidden"> (overdue)</span>}
    </td>
  );
}

/** What runs now: a backup's bar measured against the last backup's size, or just "running". */
function Now({ i }: { i: FleetInstance }) {
  if (!i.running) return <td />;
  if (i.running_bytes === null) return <td>running</td>;
  const known = i.expected_bytes !== null && i.expected_bytes > 0;
  return (
    <td>
      <div class="progress">
        {known ? (
          <progress
            aria-label={`${i.name}: backup written`}
            max={i.expected_bytes!}
            value={Math.min(i.running_bytes, i.expected_bytes!)}
          />
        ) : (
          <progress aria-label={`${i.name}: backup written`} />
        )}{' '}
        <span>{size(i.running_bytes)}</span>
      </div>
    </td>
  );
}

function Row({ i, now }: { i: FleetInstance; now: number }) {
  return (
    <tr>
      <td>
        <a href={`/ui/instances/${encodeURIComponent(i.id)}`}>{i.name}</a>
      </td>
      <td>
        <code>{i.id}</code>
      </td>
      <td>{i.type}</td>
      <td>{i.backup_type === 'continuous_archiving' ? 'continuous' : 'standard'}</td>
      <LastSuccess i={i} now={now} />
      <td>
        {i.last_failure_at ? (
          <>
            <span class="late">{age(i.last_failure_at, now)} ago</span>
            <div class="reason">{i.last_failure_reason}</div>
          </>
        ) : (
          '—'
        )}
      </td>
      <td class={i.verification_status === 'failed' ? 'late' : undefined}>
        {i.verification_status ?? '—'}
        {i.verified_at && <div class="reason">{age(i.verified_at, now)} ago</div>}
      </td>
      <td>
        {i.pitr_start && i.pitr_end
          ? `${age(i.pitr_start, now)} ago – ${age(i.pitr_end, now)} ago`
          : i.backup_type === 'continuous_archiving'
            ? 'not open yet'
            : '—'}
      </td>
      <Now i={i} />
    </tr>
  );
}

/** Instances as rows: name, newest success and failure, verification, window, work under way. */
export function FleetTable({
  instances,
  caption,
  now,
}: {
  instances: FleetInstance[];
  caption: string;
  /** when the rows were read: the moment their ages are told from */
  now: number;
}) {
  return (
    <TableBox label={caption}>
      <table class="fleet">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Type</th>
            <th scope="col">Backups</th>
            <th scope="col">Last success</th>
            <th scope="col">Last failure</th>
            <th scope="col">Verification</th>
            <th scope="col">Restorable to</th>
            <th scope="col">Now</th>
          </tr>
        </thead>
        <tbody>
          {instances.map((i) => (
            <Row key={i.id} i={i} now={now} />
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}
