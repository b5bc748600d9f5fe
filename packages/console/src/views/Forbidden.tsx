import { linkProps } from '../router.ts';

export function Forbidden() {
  return (
    <section className="page narrow" aria-labelledby="forbidden-title" data-testid="forbidden">
      <h1 id="forbidden-title">You do not have access to this page</h1>
      <p>The server refused this request for your role. If your work needs it, ask an admin to change your role.</p>
      <p>
        <a {...linkProps('/queue')}>Back to the queue</a>
      </p>
    </section>
  );
}

export function NotFound() {
  return (
    <section className="page narrow" aria-labelledby="notfound-title">
      <h1 id="notfound-title">Nothing here</h1>
      <p>
        <a {...linkProps('/queue')}>Back to the queue</a>
      </p>
    </section>
  );
}
