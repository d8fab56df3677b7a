// The catalog page: lists the titles that are ready to watch, each linking to /watch/{id}.
(() => {
  'use strict';
  const $ = (name) => document.getElementById(name);
  const list = $('catalog');

  // m:ss (minutes are not wrapped into hours); null when the duration is unknown.
  const duration = (seconds) => {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return null;
    const total = Math.round(seconds);
    return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
  };

  const card = (t) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.className = 'title';
    a.href = `/watch/${encodeURIComponent(t.id)}`;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = t.name;
    if (t.posterUrl) {
      const img = document.createElement('img');
      img.src = t.posterUrl;
      img.alt = t.name;
      img.loading = 'lazy';
      img.decoding = 'async';
      a.append(img);
      name.setAttribute('aria-hidden', 'true'); // the image's alt already names the link
    }
    a.append(name);
    const length = duration(t.durationSeconds);
    if (length) {
      const time = document.createElement('span');
      time.className = 'duration';
      time.textContent = length;
      a.append(time);
    }
    li.append(a);
    return li;
  };

  const showError = (message) => { const e = $('error'); e.textContent = message; e.hidden = false; };

  fetch('/api/titles', { headers: { Accept: 'application/json' }, cache: 'no-store' })
    .then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.json();
    })
    .then((titles) => {
      const ready = (Array.isArray(titles) ? titles : []).filter((t) => t && t.status === 'ready');
      list.replaceChildren(...ready.map(card));
      $('empty').hidden = ready.length > 0;
    })
    .catch((e) => showError(`The catalog could not be loaded: ${e.message}`))
    .finally(() => { $('loading').hidden = true; });
})();
