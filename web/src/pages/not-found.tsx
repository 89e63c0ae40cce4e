import { PageHeading } from '../parts/page-heading';

/** An address inside /ui that is no page. */
export function NotFoundPage() {
  return (
    <section>
      <PageHeading>No such page</PageHeading>
      <p>
        <a href="/ui/">Go to the start page</a>
      </p>
    </section>
  );
}
