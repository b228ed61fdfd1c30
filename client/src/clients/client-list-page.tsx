import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createQuery } from '@urql/solid';
import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import { Empty, Loading, QueryError } from '../components/alert';
import { PackageBar } from '../components/package-bar';
import { ShowMore } from '../components/show-more';
import { graphql } from '../gql';
import type { BillingType } from '../gql/graphql';
import { plural } from '../lib/error';
import { BILLING_LABEL } from '../lib/format';
import { createLiveRefetch } from '../live/refresh';
import { BulkLogDialog } from './bulk-log-dialog';
import { NewClientDialog } from './new-client-dialog';

const ClientListDocument = graphql(`
  query ClientList(
    $first: Int!
    $search: String
    $billingType: BillingType
    $lowCredits: Boolean
    $noPackage: Boolean
  ) {
    clients(
      first: $first
      search: $search
      billingType: $billingType
      lowCredits: $lowCredits
      noPackage: $noPackage
    ) {
      edges {
        node {
          id
          name
          email
          billingType
          totalRemainingCredits
          lowCredits
          noPackage
          packages(includeExpired: false) {
            id
            name
            remainingCredits
            totalCredits
            barColor
            state
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
    sessionTypes {
      id
      name
      requiresCredits
    }
  }
`);

const PAGE = 50;

export default function ClientListPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [searchText, setSearchText] = createSignal(typeof params.q === 'string' ? params.q : '');
  const [first, setFirst] = createSignal(PAGE);
  const [selected, setSelected] = createSignal<Set<string>>(new Set());
  const [dialog, setDialog] = createSignal<'new' | 'bulk' | null>(null);

  // Typing waits a moment before asking the server; the URL keeps the filters for reloads.
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const onSearch = (value: string) => {
    setSearchText(value);
    clearTimeout(timer);
    timer = setTimeout(() => setParams({ q: value.trim() || undefined }, { replace: true }), 250);
  };
  const billingType = () => (typeof params.billing === 'string' ? (params.billing as BillingType) : undefined);
  // One "Credits" filter: running low (credits ran down) or no package at all; the URL keeps it.
  const lowOnly = () => params.low === '1';
  const noPackageOnly = () => params.nopkg === '1';
  const creditFilter = () => (lowOnly() ? 'low' : noPackageOnly() ? 'none' : '');

  const [list, refetch] = createQuery({
    query: ClientListDocument,
    variables: () => ({
      first: first(),
      search: typeof params.q === 'string' && params.q ? params.q : null,
      billingType: billingType() ?? null,
      lowCredits: lowOnly() ? true : null,
      noPackage: noPackageOnly() ? true : null,
    }),
  });
  createLiveRefetch(() => refetch({ requestPolicy: 'network-only' }), {}, 250);

  const clients = createMemo(() => list.data?.clients.edges.map((e) => e.node) ?? []);
  const selectedClients = () => clients().filter((c) => selected().has(c.id));
  const allSelected = () => clients().length > 0 && clients().every((c) => selected().has(c.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected());
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const toggleAll = (on: boolean) => setSelected(new Set(on ? clients().map((c) => c.id) : []));
  const filtered = () => Boolean(params.q || billingType() || creditFilter());

  return (
    <section class="stack-lg" aria-labelledby="clients-title">
      <div class="page-header">
        <h1 id="clients-title">Clients</h1>
        <button type="button" class="button primary" onClick={() => setDialog('new')}>
          New client
        </button>
      </div>

      <div class="filters">
        <div class="field grow">
          <label for="client-search">Search</label>
          <input
            id="client-search"
            type="search"
            placeholder="Name or email"
            value={searchText()}
            onInput={(e) => onSearch(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="client-billing-filter">Billing type</label>
          <select
            id="client-billing-filter"
            value={billingType() ?? ''}
            onChange={(e) => setParams({ billing: e.currentTarget.value || undefined })}
          >
            <option value="">All</option>
            <For each={Object.entries(BILLING_LABEL)}>{([value, label]) => <option value={value}>{label}</option>}</For>
          </select>
        </div>
        <div class="field">
          <label for="client-credit-filter">Credits</label>
          <select
            id="client-credit-filter"
            value={creditFilter()}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setParams({ low: value === 'low' ? '1' : undefined, nopkg: value === 'none' ? '1' : undefined });
            }}
          >
            <option value="">All</option>
            <option value="low">Running low</option>
            <option value="none">No package</option>
          </select>
        </div>
      </div>

      <QueryError error={list.error} retry={() => refetch({ requestPolicy: 'network-only' })} />

      <Show when={list.data} fallback={<Show when={!list.error}>{<Loading label="Loading clients…" />}</Show>}>
        <Show
          when={clients().length > 0}
          fallback={
            <Empty title={filtered() ? 'No clients match' : 'No clients yet'}>
              {filtered() ? (
                <p>Try another search or filter.</p>
              ) : (
                <p>Add your first client, then give them a package of sessions.</p>
              )}
            </Empty>
          }
        >
          <div class="table-wrap">
            <table class="table client-table">
              <thead>
                <tr>
                  <th class="col-check">
                    <input
                      type="checkbox"
                      aria-label="Select all clients"
                      checked={allSelected()}
                      onChange={(e) => toggleAll(e.currentTarget.checked)}
                    />
                  </th>
                  <th>Client</th>
                  <th class="hide-phone">Billing type</th>
                  <th class="num">Credits left</th>
                  <th class="hide-phone">Packages</th>
                </tr>
              </thead>
              <tbody>
                <For each={clients()}>
                  {(c) => (
                    <tr classList={{ selected: selected().has(c.id) }} data-client-id={c.id}>
                      <td class="col-check">
                        <input
                          type="checkbox"
                          aria-label={`Select ${c.name}`}
                          checked={selected().has(c.id)}
                          onChange={(e) => toggle(c.id, e.currentTarget.checked)}
                        />
                      </td>
                      <td>
                        <A href={`/clients/${encodeURIComponent(c.id)}`} class="client-link">
                          {c.name}
                        </A>
                        <span class="sub show-phone">{BILLING_LABEL[c.billingType]}</span>
                        <div class="show-phone">
                          <For each={c.packages}>
                            {(p) => (
                              <div class="mini-package">
                                <PackageBar
                                  compact
                                  label={p.name}
                                  remaining={p.remainingCredits}
                                  total={p.totalCredits}
                                  color={p.barColor}
                                  state={p.state}
                                />
                              </div>
                            )}
                          </For>
                        </div>
                      </td>
                      <td class="hide-phone">{BILLING_LABEL[c.billingType]}</td>
                      <td class="num">
                        <Show when={c.billingType === 'PACKAGE'} fallback={<span class="muted">—</span>}>
                          <Show
                            when={!c.noPackage}
                            fallback={
                              <span class="badge" data-testid="no-package" title="Has never had a package">
                                No package
                              </span>
                            }
                          >
                            <span class="credits" data-testid="total-remaining">
                              {c.totalRemainingCredits}
                            </span>
                            <Show when={c.lowCredits}>
                              <span class="badge badge-low" title="At or below the team's low-credit threshold">
                                Low
                              </span>
                            </Show>
                          </Show>
                        </Show>
                      </td>
                      <td class="hide-phone packages-cell">
                        <For each={c.packages} fallback={<span class="muted">No active packages</span>}>
                          {(p) => (
                            <div
                              class="mini-package"
                              title={`${p.name}: ${p.remainingCredits} of ${p.totalCredits} left`}
                            >
                              <PackageBar
                                compact
                                label={p.name}
                                remaining={p.remainingCredits}
                                total={p.totalCredits}
                                color={p.barColor}
                                state={p.state}
                              />
                            </div>
                          )}
                        </For>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
          <ShowMore
            hasMore={list.data?.clients.pageInfo.hasNextPage}
            shown={first()}
            onMore={() => setFirst(first() + PAGE)}
          >
            Show more clients
          </ShowMore>
        </Show>
      </Show>

      <Show when={selectedClients().length > 0}>
        <section class="action-bar" aria-label="Selected clients">
          <span>
            {selectedClients().length} {plural(selectedClients().length, 'client')} selected
          </span>
          <button type="button" class="button ghost small" onClick={() => setSelected(new Set<string>())}>
            Clear
          </button>
          <button type="button" class="button primary" onClick={() => setDialog('bulk')}>
            Bulk log
          </button>
        </section>
      </Show>

      <Show when={dialog() === 'new'}>
        <NewClientDialog
          onClose={() => setDialog(null)}
          onCreated={(id) => navigate(`/clients/${encodeURIComponent(id)}`)}
        />
      </Show>
      <Show when={dialog() === 'bulk'}>
        <BulkLogDialog
          clients={selectedClients().map((c) => ({ id: c.id, name: c.name }))}
          sessionTypes={list.data?.sessionTypes ?? []}
          onClose={() => {
            setDialog(null);
            setSelected(new Set<string>());
          }}
        />
      </Show>
    </section>
  );
}
