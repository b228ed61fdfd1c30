import type { LiveStatus } from './connection';

const TEXT: Record<LiveStatus, { label: string; title: string }> = {
  connecting: { label: 'Connecting…', title: 'Opening the live connection.' },
  live: { label: 'Live', title: "Teammates' changes appear here as they happen." },
  reconnecting: { label: 'Reconnecting…', title: 'The live connection dropped; catching up as soon as it is back.' },
  offline: { label: 'Offline', title: 'No network. Changes will catch up when you are back online.' },
  unavailable: {
    label: 'Offline',
    title: 'This server does not offer live updates; screens refresh when you return to them.',
  },
};

export function ConnectionIndicator(props: { status: LiveStatus }) {
  const text = () => TEXT[props.status];
  return (
    <span
      class={`live live-${props.status}`}
      role="status"
      aria-live="polite"
      title={text().title}
      data-status={props.status}
    >
      <span class="live-dot" aria-hidden="true" />
      <span class="live-label">{text().label}</span>
    </span>
  );
}
