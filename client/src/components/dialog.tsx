import { createUniqueId, type JSX, onCleanup, onMount, Show } from 'solid-js';

/**
 * A modal on the native <dialog>: the browser traps focus and Esc closes it. Focus goes to the
 * first field (or the element marked autofocus) on open and back to the opener on close.
 */
export function Dialog(props: {
  title: string;
  description?: string;
  onClose: () => void;
  children: JSX.Element;
  footer?: JSX.Element;
  wide?: boolean;
}) {
  let ref!: HTMLDialogElement;
  const titleId = createUniqueId();
  const opener = typeof document !== 'undefined' ? (document.activeElement as HTMLElement | null) : null;

  onMount(() => {
    if (typeof ref.showModal === 'function') {
      if (!ref.open) ref.showModal();
    } else {
      ref.setAttribute('open', '');
    }
    const target =
      ref.querySelector<HTMLElement>('[autofocus]') ??
      ref.querySelector<HTMLElement>(
        '.dialog-body input, .dialog-body select, .dialog-body textarea, .dialog-body button',
      );
    target?.focus();
  });
  onCleanup(() => {
    if (ref.open && typeof ref.close === 'function') ref.close();
    if (opener?.isConnected) opener.focus();
  });

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the backdrop click is a mouse shortcut; keyboards close with Esc (onCancel).
    <dialog
      ref={ref}
      class="dialog"
      classList={{ 'dialog-wide': props.wide }}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its box) closes it.
        if (e.target === ref) props.onClose();
      }}
    >
      <div class="dialog-box">
        <header class="dialog-header">
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" class="icon-button" aria-label="Close" onClick={() => props.onClose()}>
            ×
          </button>
        </header>
        <Show when={props.description}>
          <p class="dialog-description">{props.description}</p>
        </Show>
        <div class="dialog-body">{props.children}</div>
        <Show when={props.footer}>
          <footer class="dialog-footer">{props.footer}</footer>
        </Show>
      </div>
    </dialog>
  );
}
