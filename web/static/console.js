// leadflow console: the few behaviours a server-rendered page cannot have.
'use strict';
document.addEventListener('click', (ev) => {
  const btn = ev.target.closest('[data-copy]');
  if (!btn) return;
  const field = document.getElementById(btn.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => { btn.textContent = btn.dataset.copied || 'Copied'; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand('copy'); done(); });
  } else {
    document.execCommand('copy');
    done();
  }
});

// The matching step of a new import: the chosen file goes to the server,
// which answers its columns with a select of lead fields each; the form
// then sends the file again with those choices.
async function matchColumns(btn, fresh) {
  const form = btn.form;
  const out = document.getElementById(btn.dataset.match);
  if (!form.file.files.length) { form.file.reportValidity(); return; }
  const body = new FormData(form);
  if (fresh) body.delete('map');
  btn.disabled = true;
  try {
    const resp = await fetch(form.dataset.preview, { method: 'POST', body, credentials: 'same-origin' });
    out.innerHTML = await resp.text();
  } catch (e) {
    out.textContent = 'The file could not be sent: ' + e.message;
  } finally {
    btn.disabled = false;
  }
}
document.addEventListener('click', (ev) => {
  const btn = ev.target.closest('[data-match]');
  if (btn) matchColumns(btn, true);
});
document.addEventListener('change', (ev) => {
  if (ev.target.id === 'import-file') document.getElementById('match')?.replaceChildren();
  // A changed match: check the first rows again with the choices made.
  if (ev.target.matches('#columns select')) matchColumns(document.querySelector('[data-match]'), false);
});

// A running import's or export's page fetches its progress again every
// second and a half until the job is done.
function poll(el) {
  setTimeout(async () => {
    try {
      const resp = await fetch(el.dataset.poll, { credentials: 'same-origin' });
      if (!resp.ok || resp.redirected) return;
      const box = document.createElement('div');
      box.innerHTML = await resp.text();
      const next = box.firstElementChild;
      if (!next) return;
      el.replaceWith(next);
      if (next.dataset.poll) poll(next);
    } catch (e) {
      poll(el);
    }
  }, 1500);
}
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-poll]').forEach(poll);
});
