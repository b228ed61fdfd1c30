/**
 * A /b/… address the server did not recognise as a share token (mistyped or cut short). It is
 * public, like the balance page it was meant to be, so it never asks to log in.
 */
export default function InvalidShareLinkPage() {
  return (
    <main class="auth">
      <div class="auth-card stack">
        <h1>This link is not valid</h1>
        <p class="muted">Check that the whole link was copied, or ask your studio for a new one.</p>
      </div>
    </main>
  );
}
