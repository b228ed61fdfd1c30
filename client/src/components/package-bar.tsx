import { Show } from 'solid-js';
import type { BarColor, PackageState } from '../gql/graphql';
import { plural } from '../lib/error';

/** Green; amber at 1–2 credits left; red at 0; expired packages grey with their unused credits. */
export function PackageBar(props: {
  remaining: number;
  total: number;
  color: BarColor;
  state: PackageState;
  expiredCredits?: number;
  compact?: boolean;
  label?: string;
}) {
  const expired = () => props.state === 'EXPIRED';
  const shown = () => (expired() ? (props.expiredCredits ?? 0) : props.remaining);
  const percent = () => (props.total > 0 ? Math.max(0, Math.min(100, (shown() / props.total) * 100)) : 0);
  const tone = () => (expired() ? 'expired' : props.color.toLowerCase());
  const text = () =>
    expired()
      ? `Expired · ${shown()} unused ${plural(shown(), 'credit')}`
      : `${props.remaining} of ${props.total} left`;
  return (
    <div class={`bar bar-${tone()}`} classList={{ 'bar-compact': props.compact }}>
      {/* biome-ignore lint/a11y/useSemanticElements: a styled bar; <meter> cannot take the amber/red/expired styles across browsers. */}
      <div
        class="bar-track"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={props.total}
        aria-valuenow={shown()}
        aria-label={props.label ? `${props.label}: ${text()}` : text()}
      >
        <div class="bar-fill" style={{ width: `${percent()}%` }} />
      </div>
      <Show when={!props.compact}>
        <span class="bar-text">{text()}</span>
      </Show>
    </div>
  );
}
