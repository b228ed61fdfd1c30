/**
 * Punchcard balance widget: a small live card of one client's credits for a studio's own
 * website. Embed with
 *   <script src="https://<punchcard>/widget.js" data-token="<share token>" async></script>
 * It renders into a shadow root (the host page's CSS cannot reach it) and follows the
 * `sharedBalance` subscription over Server-Sent Events, reconnecting by itself.
 */
(() => {
  const script = document.currentScript;
  if (!script) return;
  const token = script.dataset.token ?? '';
  const endpoint = new URL('/graphql', script.src).href;
  const host = document.createElement('div');
  host.className = 'punchcard-balance';
  script.after(host);
  const root = host.attachShadow({ mode: 'open' });

  const FIELDS = `studioName clientName totalRemainingCredits
    packages { name remainingCredits totalCredits barColor expiresOn sessionTypes }
    expiredPackages { name unusedCredits expiresOn }`;
  const SUBSCRIPTION = `subscription ($token: String!) { sharedBalance(token: $token) { ${FIELDS} } }`;
  const COLORS = { GREEN: '#2f9e44', AMBER: '#f08c00', RED: '#e03131' };

  const html = (text) =>
    String(text).replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  const date = (iso) =>
    new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, { timeZone: 'UTC', dateStyle: 'medium' });

  const STYLE = `<style>
    :host { all: initial !important; display: block !important; }
    .card { font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; text-align: left; max-width: 420px; border: 1px solid #d0d7de; border-radius: 12px; padding: 16px 18px; background: #fff; }
    h2 { font-size: 13px; font-weight: 600; color: #57606a; margin: 0 0 2px; text-transform: uppercase; letter-spacing: .04em; }
    .name { font-size: 18px; font-weight: 600; margin: 0 0 12px; }
    .total { font-size: 32px; font-weight: 700; margin: 0; } .total small { font-size: 14px; font-weight: 500; color: #57606a; }
    ul { list-style: none; padding: 0; margin: 12px 0 0; } li { margin: 10px 0; }
    .row { display: flex; justify-content: space-between; gap: 8px; }
    .bar { height: 8px; border-radius: 4px; background: #eaeef2; overflow: hidden; margin-top: 4px; }
    .bar span { display: block; height: 100%; }
    .meta { font-size: 12px; color: #57606a; } .expired { color: #57606a; }
    .status { font-size: 12px; color: #57606a; margin-top: 10px; }
  </style>`;

  function render(body) {
    root.innerHTML = `${STYLE}<div class="card" role="region" aria-label="Session credits">${body}</div>`;
  }

  function renderBalance(b, live) {
    const active = b.packages
      .map((p) => {
        const pct = p.totalCredits ? Math.round((p.remainingCredits / p.totalCredits) * 100) : 0;
        const meta = [p.sessionTypes.join(', '), p.expiresOn ? `expires ${date(p.expiresOn)}` : '']
          .filter(Boolean)
          .join(' · ');
        return `<li><div class="row"><span>${html(p.name)}</span><strong>${p.remainingCredits} of ${p.totalCredits}</strong></div>
          <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="${p.totalCredits}" aria-valuenow="${p.remainingCredits}">
          <span style="width:${pct}%;background:${COLORS[p.barColor] ?? COLORS.GREEN}"></span></div>
          ${meta ? `<div class="meta">${html(meta)}</div>` : ''}</li>`;
      })
      .join('');
    const expired = b.expiredPackages
      .map(
        (
          p,
        ) => `<li class="expired"><div class="row"><span>${html(p.name)}</span><span>expired ${p.expiresOn ? date(p.expiresOn) : ''}</span></div>
        <div class="meta">${p.unusedCredits} unused credit${p.unusedCredits === 1 ? '' : 's'}</div></li>`,
      )
      .join('');
    render(`<h2>${html(b.studioName)}</h2><p class="name">${html(b.clientName)}</p>
      <p class="total">${b.totalRemainingCredits} <small>credit${b.totalRemainingCredits === 1 ? '' : 's'} left</small></p>
      ${active ? `<ul>${active}</ul>` : ''}${expired ? `<ul aria-label="Expired packages">${expired}</ul>` : ''}
      <div class="status" aria-live="polite">${live ? 'Live' : 'Reconnecting…'}</div>`);
  }

  let last = null;
  let delay = 1000;
  async function follow() {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: SUBSCRIPTION, variables: { token } }),
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const data = message.split('\n').find((line) => line.startsWith('data:'));
          if (!message.startsWith('event: next') || !data) continue;
          const payload = JSON.parse(data.slice(5));
          if (payload.errors?.length) {
            render('<p>This balance link is no longer active. Ask your studio for a new one.</p>');
            return;
          }
          last = payload.data.sharedBalance;
          delay = 1000;
          renderBalance(last, true);
        }
      }
    } catch {
      // network trouble: fall through to the retry below
    }
    if (last) renderBalance(last, false);
    else render('<p>Connecting…</p>');
    setTimeout(follow, delay);
    delay = Math.min(delay * 2, 30_000);
  }

  render('<p>Loading…</p>');
  follow();
})();
