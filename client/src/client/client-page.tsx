import { A, useParams } from '@solidjs/router';
import { createQuery, createSubscription } from '@urql/solid';
import { createMemo, createSignal, For, Match, onCleanup, Show, Switch } from 'solid-js';
import { Empty, Loading, QueryError } from '../components/alert';
import { PackageBar } from '../components/package-bar';
import { ShowMore } from '../components/show-more';
import { graphql } from '../gql';
import { plural } from '../lib/error';
import { BILLING_LABEL, formatDateTime, formatDay, formatPrice, STATUS_LABEL } from '../lib/format';
import { BalanceChangedDocument } from '../live/document';
import { createLiveRefetch, useLive } from '../live/refresh';
import { BalanceHistory } from './balance-history';
import { BookSessionDialog } from './book-session-dialog';
import { CancelSessionDialog } from './cancel-session-dialog';
import { CreditDialog } from './credit-dialog';
import { LogSessionDialog } from './log-session-dialog';
import { NewPackageDialog } from './new-package-dialog';
import { ShareLinkSection } from './share-link';
import { UndoSessionDialog } from './undo-session-dialog';

const ClientProfileDocument = graphql(`
  query ClientProfile($id: ID!, $historySize: Int!) {
    client(id: $id) {
      id
      name
      email
      phone
      billingType
      archived
      totalRemainingCredits
      lowCredits
      noPackage
      shareLink {
        path
        createdAt
      }
      creditBalances {
        sessionTypeId
        sessionTypeName
        remainingCredits
        archived
      }
      packages(includeExpired: true) {
        id
        name
        totalCredits
        remainingCredits
        expiredCredits
        barColor
        state
        expiresOn
        priceCents
        createdAt
        sessionType {
          id
          name
          archived
        }
      }
    }
    upcoming: sessions(clientId: $id, status: [BOOKED], first: 50) {
      edges {
        node {
          ...SessionRow
        }
      }
    }
    history: sessions(
      clientId: $id
      status: [COMPLETED, NO_SHOW, LATE_CANCELLED, CANCELLED]
      first: $historySize
    ) {
      edges {
        node {
          ...SessionRow
        }
      }
      pageInfo {
        hasNextPage
      }
    }
    sessionTypes(includeArchived: true) {
      id
      name
      requiresCredits
      archived
    }
    packageTemplates {
      id
      name
      credits
      priceCents
      expiryDays
      sessionType {
        id
        name
      }
    }
  }

  fragment SessionRow on Session {
    id
    startsAt
    status
    notes
    direct
    creditUsed
    cancelWindowHours
    package {
      id
      name
    }
    sessionType {
      id
      name
    }
  }
`);

type Dialog =
  | { kind: 'log' }
  | { kind: 'book' }
  | { kind: 'package' }
  | { kind: 'issue' }
  | { kind: 'remove'; sessionTypeId: string | null }
  | { kind: 'cancel'; sessionId: string }
  | { kind: 'undo'; sessionId: string };

export default function ClientPage() {
  const params = useParams();
  const clientId = () => decodeURIComponent(params.id ?? '');
  const live = useLive();
  const [historySize, setHistorySize] = createSignal(20);
  const [dialog, setDialog] = createSignal<Dialog | null>(null);
  const [flash, setFlash] = createSignal('');
  let flashTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(flashTimer));

  const [profile, refetch] = createQuery({
    query: ClientProfileDocument,
    variables: () => ({ id: clientId(), historySize: historySize() }),
  });
  createLiveRefetch(() => refetch({ requestPolicy: 'network-only' }), { clientId });

  // The live balance: a subscription folded into what the page shows, ahead of the refetch.
  const [balance] = createSubscription({
    query: BalanceChangedDocument,
    variables: () => ({ clientId: clientId() }),
    pause: () => live?.status() !== 'live',
  });
  const liveBalance = () => {
    const b = balance.data?.balanceChanged;
    return b && b.id === clientId() ? b : null;
  };

  const client = () => profile.data?.client;
  const packages = createMemo(() => {
    const lb = liveBalance();
    return (client()?.packages ?? []).map((p) => {
      const update = lb?.packages.find((x) => x.id === p.id);
      return update ? { ...p, ...update } : p;
    });
  });
  const total = () => liveBalance()?.totalRemainingCredits ?? client()?.totalRemainingCredits ?? 0;
  const activeTypes = () => profile.data?.sessionTypes.filter((t) => !t.archived) ?? [];
  const usablePackages = () =>
    packages().filter((p) => p.state === 'ACTIVE' && p.remainingCredits > 0 && !p.sessionType?.archived);
  const upcoming = () => [...(profile.data?.upcoming.edges ?? [])].map((e) => e.node).reverse();
  const history = () => profile.data?.history.edges.map((e) => e.node) ?? [];
  const findSession = (id: string) => [...upcoming(), ...history()].find((s) => s.id === id);

  const done = (message: string) => {
    setDialog(null);
    setFlash(message);
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => setFlash(''), 6000);
  };
  const close = () => setDialog(null);

  return (
    <div class="stack-lg">
      <A href="/clients" class="back-link">
        ← Clients
      </A>
      <QueryError error={profile.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      <Show when={profile.data} fallback={<Show when={!profile.error}>{<Loading label="Loading client…" />}</Show>}>
        <Show
          when={client()}
          fallback={<Empty title="Client not found">That client does not exist in this team.</Empty>}
        >
          {(c) => (
            <>
              <section class="card profile-header" aria-labelledby="client-title">
                <div class="profile-main">
                  <h1 id="client-title">{c().name}</h1>
                  <p class="muted">
                    {BILLING_LABEL[c().billingType]}
                    <Show when={c().email}> · {c().email}</Show>
                    <Show when={c().phone}> · {c().phone}</Show>
                    <Show when={c().archived}>
                      {' '}
                      <span class="badge">Archived</span>
                    </Show>
                  </p>
                </div>
                <Show when={c().billingType === 'PACKAGE' && c().noPackage}>
                  <div class="profile-total">
                    <span class="badge" data-testid="no-package">
                      No package
                    </span>
                  </div>
                </Show>
                <Show when={c().billingType === 'PACKAGE' && !c().noPackage}>
                  <div class="profile-total" aria-live="polite">
                    <span class="total-number" data-testid="client-total">
                      {total()}
                    </span>
                    <span class="total-label">
                      {plural(total(), 'credit')} left
                      <Show when={c().lowCredits}>
                        {' '}
                        <span class="badge badge-low">Low</span>
                      </Show>
                    </span>
                  </div>
                </Show>
              </section>

              <div class="actions" role="toolbar" aria-label="Client actions">
                <button type="button" class="button primary" onClick={() => setDialog({ kind: 'log' })}>
                  Log session
                </button>
                <button type="button" class="button" onClick={() => setDialog({ kind: 'book' })}>
                  Book session
                </button>
                <Show when={c().billingType === 'PACKAGE'}>
                  <button type="button" class="button" onClick={() => setDialog({ kind: 'package' })}>
                    New package
                  </button>
                  <button type="button" class="button" onClick={() => setDialog({ kind: 'issue' })}>
                    Issue credits
                  </button>
                </Show>
              </div>

              <Show when={flash()}>
                <p class="alert alert-ok" role="status">
                  {flash()}
                </p>
              </Show>

              <div class="grid-2">
                <Show when={c().billingType === 'PACKAGE' || packages().length > 0}>
                  <section class="card stack" aria-labelledby="packages-title">
                    <div class="section-header">
                      <h2 id="packages-title">Packages</h2>
                    </div>
                    <For
                      each={packages()}
                      fallback={
                        <Empty title="No packages yet">
                          <p>Add a package from a template, or issue credits for a session type.</p>
                        </Empty>
                      }
                    >
                      {(p) => (
                        <article class="package" classList={{ expired: p.state === 'EXPIRED' }} data-package-id={p.id}>
                          <div class="package-head">
                            <h3>{p.name}</h3>
                            <span class="muted small">
                              <Show when={p.sessionType}>
                                {p.sessionType?.name}
                                <Show when={p.sessionType?.archived}>
                                  {' '}
                                  <span class="badge">Archived</span>
                                </Show>
                                {' · '}
                              </Show>
                              <Show when={p.priceCents != null}>{formatPrice(p.priceCents)} · </Show>
                              <Switch fallback="No expiry">
                                <Match when={p.state === 'EXPIRED'}>Expired {formatDay(p.expiresOn)}</Match>
                                <Match when={p.expiresOn}>Expires {formatDay(p.expiresOn)}</Match>
                              </Switch>
                            </span>
                          </div>
                          <PackageBar
                            label={p.name}
                            remaining={p.remainingCredits}
                            total={p.totalCredits}
                            color={p.barColor}
                            state={p.state}
                            expiredCredits={p.expiredCredits}
                          />
                        </article>
                      )}
                    </For>
                  </section>
                </Show>

                <Show when={c().creditBalances.length > 0}>
                  <section class="card stack" aria-labelledby="credits-title">
                    <div class="section-header">
                      <h2 id="credits-title">Credits by session type</h2>
                    </div>
                    <ul class="credit-lines">
                      <For each={c().creditBalances}>
                        {(line) => (
                          <li>
                            <span>
                              {line.sessionTypeName ?? 'Any session type'}
                              <Show when={line.archived}>
                                {' '}
                                <span class="badge">Archived</span>
                              </Show>
                            </span>
                            <span class="credit-count">{line.remainingCredits}</span>
                            <button
                              type="button"
                              class="icon-button"
                              aria-label={`Remove credits of ${line.sessionTypeName ?? 'any session type'}`}
                              title="Remove credits"
                              disabled={line.remainingCredits === 0}
                              onClick={() => setDialog({ kind: 'remove', sessionTypeId: line.sessionTypeId ?? null })}
                            >
                              −
                            </button>
                          </li>
                        )}
                      </For>
                    </ul>
                  </section>
                </Show>

                <section class="card stack" aria-labelledby="upcoming-title">
                  <div class="section-header">
                    <h2 id="upcoming-title">Upcoming sessions</h2>
                  </div>
                  <For each={upcoming()} fallback={<p class="muted">No booked sessions.</p>}>
                    {(s) => (
                      <div class="session-row" id={`session-${s.id}`} data-session-id={s.id}>
                        <div>
                          <strong>{formatDateTime(s.startsAt)}</strong>
                          <span class="sub">
                            {s.sessionType?.name ?? 'Session'}
                            {s.creditUsed ? ' · 1 credit used' : ''}
                          </span>
                        </div>
                        <button
                          type="button"
                          class="button small"
                          onClick={() => setDialog({ kind: 'cancel', sessionId: s.id })}
                        >
                          Cancel
                        </button>
                      </div>
                    )}
                  </For>
                </section>
              </div>

              <section class="card stack" aria-labelledby="sessions-title">
                <div class="section-header">
                  <h2 id="sessions-title">Session history</h2>
                </div>
                <For each={history()} fallback={<p class="muted">No sessions logged yet.</p>}>
                  {(s) => (
                    <div class="session-row" id={`session-${s.id}`} data-session-id={s.id}>
                      <div>
                        <strong>{formatDateTime(s.startsAt)}</strong>{' '}
                        <span class={`status status-${s.status.toLowerCase()}`}>{STATUS_LABEL[s.status]}</span>
                        <span class="sub">
                          {s.sessionType?.name ? `${s.sessionType.name} · ` : ''}
                          {s.package?.name ?? 'Direct session'}
                          <Show when={s.notes}> · {s.notes}</Show>
                        </span>
                      </div>
                      <button
                        type="button"
                        class="button small ghost"
                        onClick={() => setDialog({ kind: 'undo', sessionId: s.id })}
                      >
                        Undo
                      </button>
                    </div>
                  )}
                </For>
                <ShowMore
                  hasMore={profile.data?.history.pageInfo.hasNextPage}
                  shown={historySize()}
                  onMore={() => setHistorySize(historySize() + 20)}
                >
                  Show older sessions
                </ShowMore>
              </section>

              <Show when={c().billingType === 'PACKAGE' || c().creditBalances.length > 0}>
                <BalanceHistory clientId={c().id} sessionTypes={profile.data?.sessionTypes ?? []} />
              </Show>

              <ShareLinkSection
                clientId={c().id}
                clientName={c().name}
                link={c().shareLink}
                onChanged={() => refetch({ requestPolicy: 'network-only' })}
              />

              <Switch>
                <Match when={dialog()?.kind === 'log'}>
                  <LogSessionDialog
                    client={c()}
                    packages={usablePackages()}
                    sessionTypes={activeTypes()}
                    onClose={close}
                    onDone={done}
                  />
                </Match>
                <Match when={dialog()?.kind === 'book'}>
                  <BookSessionDialog
                    client={c()}
                    creditBalances={c().creditBalances}
                    packages={usablePackages()}
                    sessionTypes={activeTypes()}
                    onClose={close}
                    onDone={done}
                  />
                </Match>
                <Match when={dialog()?.kind === 'package'}>
                  <NewPackageDialog
                    client={c()}
                    templates={profile.data?.packageTemplates ?? []}
                    sessionTypes={activeTypes()}
                    onClose={close}
                    onDone={done}
                  />
                </Match>
                <Match when={dialog()?.kind === 'issue'}>
                  <CreditDialog
                    mode="issue"
                    client={c()}
                    creditBalances={c().creditBalances}
                    sessionTypes={activeTypes().filter((t) => t.requiresCredits)}
                    onClose={close}
                    onDone={done}
                  />
                </Match>
                <Match when={dialog()?.kind === 'remove' && (dialog() as { sessionTypeId: string | null })}>
                  {(d) => (
                    <CreditDialog
                      mode="remove"
                      client={c()}
                      creditBalances={c().creditBalances}
                      sessionTypes={c()
                        .creditBalances.filter((l) => l.sessionTypeId != null)
                        .map((l) => ({ id: l.sessionTypeId!, name: l.sessionTypeName ?? '', archived: l.archived }))}
                      initialSessionTypeId={d().sessionTypeId}
                      onClose={close}
                      onDone={done}
                    />
                  )}
                </Match>
                <Match when={dialog()?.kind === 'cancel' && (dialog() as { sessionId: string })}>
                  {(d) => (
                    <CancelSessionDialog sessionId={d().sessionId} clientId={c().id} onClose={close} onDone={done} />
                  )}
                </Match>
                <Match when={dialog()?.kind === 'undo' && findSession((dialog() as { sessionId: string }).sessionId)}>
                  {(s) => <UndoSessionDialog session={s()} clientId={c().id} onClose={close} onDone={done} />}
                </Match>
              </Switch>
            </>
          )}
        </Show>
      </Show>
    </div>
  );
}
