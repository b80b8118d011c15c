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

// The rules editor: line numbers beside the source that follow it, the
// lines with compile errors marked, a band on the first one, and the caret
// put where the error is (or where a listed error is, on a click).
(() => {
  const src = document.getElementById('rule-source');
  const editor = document.getElementById('editor');
  if (!src || !editor) return;
  const gutter = document.getElementById('gutter');
  const band = document.getElementById('error-band');
  const bad = new Set((editor.dataset.badLines || '').split(' ').filter(Boolean).map(Number));
  const lineHeight = () => parseFloat(getComputedStyle(src).lineHeight) || 20;
  const padTop = () => parseFloat(getComputedStyle(src).paddingTop) || 0;
  let bandLine = Number(editor.dataset.errorLine) || 0;
  const number = () => {
    const n = src.value.split('\n').length;
    if (gutter.childElementCount === n) return;
    const spans = [];
    for (let i = 1; i <= n; i++) {
      const s = document.createElement('span');
      s.textContent = String(i);
      if (bad.has(i)) s.className = 'bad';
      spans.push(s);
    }
    gutter.replaceChildren(...spans);
  };
  const place = () => {
    gutter.scrollTop = src.scrollTop;
    if (!bandLine) return;
    band.style.top = (padTop() + (bandLine - 1) * lineHeight() - src.scrollTop) + 'px';
    band.style.height = lineHeight() + 'px';
    band.hidden = false;
  };
  const jump = (line, col) => {
    const lines = src.value.split('\n');
    let at = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += Math.min(Math.max(col - 1, 0), (lines[line - 1] || '').length);
    src.focus({ preventScroll: true });
    src.setSelectionRange(at, at);
    src.scrollTop = Math.max(0, (line - 4) * lineHeight());
    bandLine = line;
    place();
  };
  src.addEventListener('input', () => { number(); place(); });
  src.addEventListener('scroll', place);
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest('a[data-line]');
    if (!a) return;
    ev.preventDefault();
    jump(Number(a.dataset.line), Number(a.dataset.col));
  });
  number();
  if (bandLine) jump(bandLine, Number(editor.dataset.errorCol) || 1); else place();
})();
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

// The new-lead form: another row for a further phone or e-mail, and the
// likely duplicate shown while company and phone are typed (the server
// decides, as on save; the answer is a fragment of HTML).
document.addEventListener('click', (ev) => {
  const btn = ev.target.closest('[data-add-row]');
  if (!btn) return;
  const rows = document.getElementById(btn.dataset.addRow);
  const last = rows && rows.lastElementChild;
  if (!last) return;
  const row = last.cloneNode(false);
  row.value = '';
  rows.appendChild(row);
  row.focus();
});
(() => {
  const form = document.querySelector('form[data-check]');
  const hint = document.getElementById('duplicate-hint');
  if (!form || !hint) return;
  let timer = 0;
  let asked = '';
  const check = async () => {
    const q = new URLSearchParams({ company: form.company.value, phone: form.phone.value, country: form.country.value });
    if (q.toString() === asked) return;
    asked = q.toString();
    try {
      const resp = await fetch(form.dataset.check + '?' + asked, { credentials: 'same-origin' });
      if (!resp.ok || resp.redirected) return;
      if (q.toString() === asked) hint.innerHTML = await resp.text();
    } catch (e) { /* the hint is a help, not a check: saving decides */ }
  };
  form.addEventListener('input', (ev) => {
    if (!['company', 'phone', 'country'].includes(ev.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  if (form.company.value && form.phone.value) check();
})();

// The lead page's message form: choosing a template sets its channel, and
// the subject and text (the template's own) are put aside while one is chosen.
(() => {
  const tpl = document.getElementById('msg-template');
  const channel = document.getElementById('msg-channel');
  if (!tpl || !channel) return;
  const own = [document.getElementById('msg-subject'), document.getElementById('msg-body')];
  const sync = () => {
    const opt = tpl.selectedOptions[0];
    if (opt && opt.dataset.channel) channel.value = opt.dataset.channel;
    own.forEach((f) => { if (f) f.disabled = !!tpl.value; });
  };
  tpl.addEventListener('change', sync);
  sync();
})();

// A lead list's action bar: the page's box ticks every lead of the page,
// the count says how many are chosen (or every lead matching), and only
// the choices of the action picked show.
function bulkBar() {
  const form = document.getElementById('bulk-form');
  if (!form) return;
  const picks = () => [...document.querySelectorAll('input.pick[form="bulk-form"]')];
  const count = document.getElementById('bulk-count');
  const none = count.textContent;
  const all = document.getElementById('bulk-all');
  const update = () => {
    const n = picks().filter((p) => p.checked).length;
    count.textContent = all.checked ? all.parentElement.textContent.trim() : n ? count.dataset.some.replace('%d', n) : none;
    const action = document.getElementById('bulk-action').value;
    form.querySelectorAll('.bulk-param').forEach((el) => {
      el.hidden = !el.dataset.for.split(' ').includes(action);
    });
  };
  document.getElementById('pick-page')?.addEventListener('change', (ev) => {
    picks().forEach((p) => { p.checked = ev.target.checked; });
    update();
  });
  document.addEventListener('change', (ev) => {
    if (ev.target.matches('input.pick, #bulk-all, #bulk-action')) update();
  });
  update();
}
document.addEventListener('DOMContentLoaded', bulkBar);
// On a phone the tabs scroll sideways in one row: show the active one.
(function () {
  const on = document.querySelector('.tabs a.on');
  if (!on) return;
  const nav = on.parentElement;
  if (nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft += on.getBoundingClientRect().left - nav.getBoundingClientRect().left - 16;
  }
})();
