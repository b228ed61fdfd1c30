import { type Accessor, createContext, onCleanup, useContext } from 'solid-js';
import type { LiveChange, LiveConnection } from './connection';

export const LiveContext = createContext<LiveConnection | null>(null);

export function useLive(): LiveConnection | null {
  return useContext(LiveContext);
}

/**
 * Refetches a query (network-only) when a change concerns it: one client's changes, or any
 * change of the team. Bursts (a bulk log is one event per client) collapse into one refetch.
 */
export function createLiveRefetch(
  refetch: () => void,
  scope: { clientId?: Accessor<string | undefined>; filter?: (change: LiveChange) => boolean } = {},
  delayMs = 120,
) {
  const live = useLive();
  if (!live) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = live.listen((change) => {
    const wanted = scope.clientId?.();
    if (change.clientId != null && wanted !== undefined && change.clientId !== wanted) return;
    if (scope.filter && change.clientId != null && !scope.filter(change)) return;
    clearTimeout(timer);
    timer = setTimeout(refetch, delayMs);
  });
  onCleanup(() => {
    stop();
    clearTimeout(timer);
  });
}

/** After this tab's own mutation succeeds: refresh the affected screens without waiting. */
export function useNotify(): (clientId: string | null) => void {
  const live = useLive();
  return (clientId) => live?.notify(clientId);
}
