import type { CombinedError } from '@urql/core';
import { type JSX, Show } from 'solid-js';
import { describeTransportError, type Problem } from '../lib/error';

export function Alert(props: { tone?: 'error' | 'warn' | 'ok' | 'info'; children: JSX.Element }) {
  const tone = () => props.tone ?? 'error';
  return (
    <div class={`alert alert-${tone()}`} role={tone() === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function ProblemAlert(props: { problem: Problem | null | undefined }) {
  return (
    <Show when={props.problem}>
      {(p) => (
        <Alert>
          <strong>{p().title}.</strong> {p().message}
        </Alert>
      )}
    </Show>
  );
}

/** A query that failed: what happened and a way to try again. */
export function QueryError(props: { error: CombinedError | undefined; retry?: () => void }) {
  return (
    <Show when={props.error}>
      {(error) => {
        const p = describeTransportError(error());
        return (
          <Alert>
            <strong>{p.title}.</strong> {p.message}{' '}
            <Show when={props.retry}>
              <button type="button" class="link-button" onClick={() => props.retry?.()}>
                Try again
              </button>
            </Show>
          </Alert>
        );
      }}
    </Show>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {props.label ?? 'Loading…'}
    </div>
  );
}

export function Empty(props: { title: string; children?: JSX.Element }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      <Show when={props.children}>
        <div class="empty-body">{props.children}</div>
      </Show>
    </div>
  );
}
