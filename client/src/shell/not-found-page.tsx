import { A } from '@solidjs/router';
import { Empty } from '../components/alert';

export default function NotFoundPage() {
  return (
    <Empty title="Nothing here">
      <p>
        That page does not exist. <A href="/clients">Go to your clients</A>.
      </p>
    </Empty>
  );
}
