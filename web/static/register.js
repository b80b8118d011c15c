// The public registration form: checks each field in the browser first
// (HTML5 constraints), sends JSON to the API, and shows the API's field
// errors next to their fields.
'use strict';
const form = document.getElementById('reg');
if (form) {
  const errFor = (name) => form.querySelector('.err[data-for="' + name + '"]') || form.querySelector('.err[data-for="body"]');
  const show = (name, text) => {
    const el = errFor(name);
    el.textContent = text;
    const input = form.elements[name];
    if (input) input.setAttribute('aria-invalid', 'true');
  };
  const clear = () => {
    form.querySelectorAll('.err').forEach((e) => { e.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  };
  const check = (input) => {
    if (input.validity.valid) return true;
    show(input.name, input.validity.valueMissing ? form.dataset.required : form.dataset.invalid);
    return false;
  };
  form.addEventListener('blur', (ev) => {
    if (ev.target.name && ev.target.value !== '') {
      errFor(ev.target.name).textContent = '';
      ev.target.removeAttribute('aria-invalid');
      check(ev.target);
    }
  }, true);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear();
    let ok = true;
    for (const input of form.querySelectorAll('input')) ok = check(input) && ok;
    if (!ok) return;
    const body = {};
    for (const [k, v] of new FormData(form)) { if (v.trim() !== '') body[k] = v.trim(); }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      // The server answers in the page's language.
      const lang = document.documentElement.lang;
      const res = await fetch(form.dataset.action, {method: 'POST', headers: {'Content-Type': 'application/json', 'Accept-Language': lang}, body: JSON.stringify(body)});
      if (res.ok) { form.hidden = true; document.getElementById('done').hidden = false; return; }
      const p = await res.json().catch(() => ({}));
      let shown = false;
      // A reason with a code is in the page's language; one without (a
      // rule's message, as an admin wrote it) gets the page's word first.
      for (const e of (p.errors || [])) {
        show(e.field, e.code || lang === 'en' ? e.reason : form.dataset.invalid + ' (' + e.reason + ')');
        shown = true;
      }
      if (!shown) {
        const f = document.getElementById('failed');
        f.textContent = p.title || form.dataset.failed;
        f.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  });
}
