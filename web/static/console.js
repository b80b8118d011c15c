// leadflow console: the few behaviours a server-rendered page cannot have.
'use strict';
// A form with data-confirm asks before it is sent (a new token ends the old one).
document.addEventListener('submit', (ev) => {
  const msg = ev.target.dataset && ev.target.dataset.confirm;
  if (msg && !window.confirm(msg)) ev.preventDefault();
});
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
