import { type JSX, Show } from 'solid-js';

/** Longest a list grows in place: past it, searching and filters are the way in. */
export const LIST_MAX = 500;

/** "Show more" for a list that grows by pages up to LIST_MAX items. */
export function ShowMore(props: {
  hasMore: boolean | undefined;
  shown: number;
  onMore: () => void;
  children: JSX.Element;
}) {
  return (
    <Show when={props.hasMore && props.shown < LIST_MAX}>
      <button type="button" class="button" onClick={() => props.onMore()}>
        {props.children}
      </button>
    </Show>
  );
}
