import { A } from '@solidjs/router';
import { createQuery } from '@urql/solid';
import { createMemo, createSignal, For, Show } from 'solid-js';
import { Empty, Loading, QueryError } from '../components/alert';
import { graphql } from '../gql';
import type { TrendInterval } from '../gql/graphql';
import { formatDateTime, formatDay, formatPrice, STATUS_LABEL, toDayInput } from '../lib/format';
import { createLiveRefetch } from '../live/refresh';
import { ActivityFeed } from './activity-feed';
import { TrendChart } from './trend-chart';

const DashboardDocument = graphql(`
  query Dashboard($from: DateTime!, $to: DateTime!, $interval: TrendInterval) {
    dashboard(from: $from, to: $to, interval: $interval) {
      activeClients
      creditsIssued
      creditsUsed
      creditsOutstanding
      revenueCents
      sessionsByStatus {
        status
        count
      }
      trend {
        periodStart
        total
        completed
        noShow
        lateCancelled
        cancelled
        booked
      }
      lowCreditClients {
        id
        name
        totalRemainingCredits
      }
      expiringPackages {
        id
        name
        remainingCredits
        expiresOn
        client {
          id
          name
        }
      }
    }
    recentSessions: sessions(first: 8) {
      edges {
        node {
          id
          startsAt
          status
          client {
            id
            name
          }
          package {
            id
            name
          }
          sessionType {
            id
            name
          }
        }
      }
    }
  }
`);

const RANGES = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: 'custom', label: 'Custom range' },
];

function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Local calendar days [from, to] → an ISO half-open range [from 00:00, day after to 00:00). */
export function rangeFor(choice: string, customFrom: string, customTo: string, today = new Date()) {
  let from: Date;
  let to: Date;
  if (choice === 'custom' && customFrom && customTo) {
    const [fy, fm, fd] = customFrom.split('-').map(Number);
    const [ty, tm, td] = customTo.split('-').map(Number);
    from = new Date(fy, fm - 1, fd);
    to = new Date(ty, tm - 1, td + 1);
  } else {
    const days = Number(choice) || 30;
    to = startOfDay(new Date(today.getTime() + 86_400_000));
    from = new Date(to.getFullYear(), to.getMonth(), to.getDate() - days);
  }
  const spanDays = Math.round((to.getTime() - from.getTime()) / 86_400_000);
  const interval: TrendInterval = spanDays > 31 ? 'WEEK' : 'DAY';
  return { from: from.toISOString(), to: to.toISOString(), interval, valid: to > from };
}

export default function DashboardPage() {
  const [range, setRange] = createSignal('30');
  const [customFrom, setCustomFrom] = createSignal(toDayInput(new Date(Date.now() - 13 * 86_400_000)));
  const [customTo, setCustomTo] = createSignal(toDayInput(new Date()));
  const span = createMemo(() => rangeFor(range(), customFrom(), customTo()));

  const [dashboard, refetch] = createQuery({
    query: DashboardDocument,
    variables: () => ({ from: span().from, to: span().to, interval: span().interval }),
    pause: () => !span().valid,
  });
  createLiveRefetch(() => refetch({ requestPolicy: 'network-only' }), {}, 400);
  const d = () => dashboard.data?.dashboard;
  const sessions = () => d()?.sessionsByStatus.reduce((sum, s) => sum + s.count, 0) ?? 0;

  return (
    <div class="stack-lg">
      <div class="page-header">
        <h1>Dashboard</h1>
        <div class="filters">
          <div class="field">
            <label for="dash-range">Range</label>
            <select id="dash-range" value={range()} onChange={(e) => setRange(e.currentTarget.value)}>
              <For each={RANGES}>{(r) => <option value={r.value}>{r.label}</option>}</For>
            </select>
          </div>
          <Show when={range() === 'custom'}>
            <div class="field">
              <label for="dash-from">From</label>
              <input
                id="dash-from"
                type="date"
                value={customFrom()}
                onInput={(e) => setCustomFrom(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="dash-to">To</label>
              <input id="dash-to" type="date" value={customTo()} onInput={(e) => setCustomTo(e.currentTarget.value)} />
            </div>
          </Show>
        </div>
      </div>
      <Show when={!span().valid}>
        <p class="alert alert-warn">The start of the range must be before its end.</p>
      </Show>
      <QueryError error={dashboard.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      <Show
        when={d()}
        fallback={<Show when={!dashboard.error && span().valid}>{<Loading label="Loading stats…" />}</Show>}
      >
        {(data) => (
          <>
            <section class="stats" aria-label="Stats for the range">
              <div class="stat">
                <span class="stat-value">{sessions()}</span>
                <span class="stat-label">Sessions</span>
              </div>
              <div class="stat">
                <span class="stat-value">{data().activeClients}</span>
                <span class="stat-label">Active clients</span>
              </div>
              <div class="stat">
                <span class="stat-value">{data().creditsUsed}</span>
                <span class="stat-label">Credits used</span>
              </div>
              <div class="stat">
                <span class="stat-value">{data().creditsIssued}</span>
                <span class="stat-label">Credits issued</span>
              </div>
              <div class="stat">
                <span class="stat-value">{data().creditsOutstanding}</span>
                <span class="stat-label">Credits outstanding</span>
              </div>
              <div class="stat">
                <span class="stat-value">{formatPrice(data().revenueCents)}</span>
                <span class="stat-label">Package revenue</span>
              </div>
            </section>

            <section class="card stack" aria-labelledby="trend-title">
              <div class="section-header">
                <h2 id="trend-title">Session trends</h2>
                <span class="muted small">
                  {data()
                    .sessionsByStatus.filter((s) => s.count > 0)
                    .map((s) => `${STATUS_LABEL[s.status]} ${s.count}`)
                    .join(' · ') || 'No sessions in this range'}
                </span>
              </div>
              <TrendChart points={data().trend} interval={span().interval} />
            </section>

            <div class="grid-2">
              <section class="card stack" aria-labelledby="low-title">
                <h2 id="low-title">Clients running low</h2>
                <For each={data().lowCreditClients} fallback={<p class="muted">Nobody is running low.</p>}>
                  {(c) => (
                    <div class="list-row">
                      <A href={`/clients/${encodeURIComponent(c.id)}`}>{c.name}</A>
                      <span class="badge badge-low">{c.totalRemainingCredits} left</span>
                    </div>
                  )}
                </For>
              </section>
              <section class="card stack" aria-labelledby="expiring-title">
                <h2 id="expiring-title">Expiring within 7 days</h2>
                <For each={data().expiringPackages} fallback={<p class="muted">No packages expire this week.</p>}>
                  {(p) => (
                    <div class="list-row">
                      <span>
                        <A href={`/clients/${encodeURIComponent(p.client.id)}`}>{p.client.name}</A>
                        <span class="sub">
                          {p.name} · {p.remainingCredits} left
                        </span>
                      </span>
                      <span class="muted small">{formatDay(p.expiresOn)}</span>
                    </div>
                  )}
                </For>
              </section>
              <section class="card stack" aria-labelledby="feed-title">
                <h2 id="feed-title">Live activity</h2>
                <ActivityFeed />
              </section>
              <section class="card stack" aria-labelledby="recent-title">
                <h2 id="recent-title">Recent sessions</h2>
                <For
                  each={dashboard.data?.recentSessions.edges}
                  fallback={<Empty title="No sessions yet">Log a session from a client's profile.</Empty>}
                >
                  {({ node: s }) => (
                    <div class="list-row">
                      <span>
                        <A href={`/clients/${encodeURIComponent(s.client.id)}`}>{s.client.name}</A>
                        <span class="sub">
                          {STATUS_LABEL[s.status]} · {s.sessionType?.name ?? s.package?.name ?? 'Direct session'}
                        </span>
                      </span>
                      <span class="muted small">{formatDateTime(s.startsAt)}</span>
                    </div>
                  )}
                </For>
              </section>
            </div>
          </>
        )}
      </Show>
    </div>
  );
}
