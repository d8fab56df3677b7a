// The admin page: sign in with the admin key, upload titles, follow transcoding live (GET /api/titles, then the
// /api/titles/events stream, both with the key: without it the origin shows ready titles only), purge or delete
// titles, watch the edge fleet (GET /api/edges every 2 s), and manage webhook endpoints. When the origin in use dies,
// every call moves to another origin of /api/origins, and an upload resumes there at its offset (tus).
(() => {
  'use strict';
  const $ = (name) => document.getElementById(name);
  const STORAGE = 'vod-admin-key';
  let key = null;
  let session = 0; // bumped on sign-in and sign-out, so callbacks of an earlier session do nothing

  const parse = (text) => { try { return JSON.parse(text); } catch { return null; } };
  const time = (iso) => { const t = Date.parse(iso); return Number.isNaN(t) ? 0 : t; };
  const auth = () => ({ Authorization: `Bearer ${key}` });
  // The detail of a problem+json body, else its title, else the status.
  const problem = (text, status) => { const p = parse(text); return (p && (p.detail || p.title)) || `HTTP ${status}`; };
  const readProblem = async (r) => problem(await r.text().catch(() => ''), r.status);

  // ---- Origins ----------------------------------------------------------------------------------------------------
  // Every origin serves the same API over the same media store (the others answer this page's calls: CORS between
  // registered origins). A call goes to the origin that answered last; on a network error, a time-out or a
  // 502/503/504 (a proxy saying the origin is gone) it moves to the next origin of the list, each once. Any other
  // answer, a 4xx too, is the answer.
  const origins = {
    list: [location.origin],
    current: location.origin,
    order() {
      const start = Math.max(0, origins.list.indexOf(origins.current));
      return origins.list.slice(start).concat(origins.list.slice(0, start));
    },
    // The server's order (the answering origin first); an origin known before stays listed, last.
    set(list) {
      const merged = [];
      (Array.isArray(list) ? list : []).concat(origins.list).forEach((url) => {
        try { const o = new URL(url).origin; if (!merged.includes(o)) merged.push(o); } catch { /* not a URL */ }
      });
      origins.list = merged;
    },
  };
  const isOutage = (status) => status === 502 || status === 503 || status === 504;

  const api = async (path, init = {}) => {
    let failure = new Error('no origin');
    let outage = null;
    for (const origin of origins.order()) {
      try {
        const r = await fetch(origin + path, { cache: 'no-store', ...init, signal: AbortSignal.timeout(15000) });
        if (!isOutage(r.status)) { origins.current = origin; return r; }
        outage = r;
      } catch (e) {
        failure = e;
      }
    }
    if (outage) return outage; // every origin said it is unavailable: show what the last one said
    throw failure;
  };

  const loadOrigins = () => api('/api/origins').then((r) => (r.ok ? r.json() : null))
    .then((body) => origins.set(body && body.origins)).catch(() => {});
  loadOrigins();
  setInterval(loadOrigins, 60000);

  const formatBytes = (n) => {
    if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
    if (n < 1000) return `${Math.round(n)} B`;
    const units = ['KB', 'MB', 'GB', 'TB'];
    let i = 0;
    let v = n / 1000;
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
    return `${v.toFixed(1)} ${units[i]}`;
  };

  // ---- Sign-in ----------------------------------------------------------------------------------------------------
  const form = $('signin');
  const signinError = $('signin-error');
  const showSigninError = (message) => { signinError.textContent = message; signinError.hidden = false; };

  const check = async (candidate) => {
    // A header value must be Latin-1 (fetch throws otherwise); such a key cannot be the configured one anyway.
    if (!/^[\x20-\x7e]*$/.test(candidate)) return 401;
    const r = await api('/api/admin/check', { headers: { Authorization: `Bearer ${candidate}` } });
    return r.status;
  };
  const accepted = (status) => status >= 200 && status < 300; // 204

  const signIn = (candidate) => {
    stop();
    session++;
    key = candidate;
    try { sessionStorage.setItem(STORAGE, candidate); } catch { /* storage disabled: stay signed in for this page */ }
    $('key').value = '';
    signinError.hidden = true;
    form.hidden = true;
    $('admin').hidden = false;
    startTitles();
    startEdges();
    startWebhooks();
  };

  const signOut = () => {
    stop();
    session++;
    key = null;
    try { sessionStorage.removeItem(STORAGE); } catch { /* nothing stored */ }
    $('admin').hidden = true;
    form.hidden = false;
    $('key').focus();
  };

  const stop = () => {
    if (upload) upload.abort();
    stopTitles();
    stopEdges();
    stopWebhooks();
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const candidate = $('key').value.trim();
    const button = $('signin-button');
    button.disabled = true;
    signinError.hidden = true;
    try {
      const status = await check(candidate);
      if (accepted(status)) {
        signIn(candidate);
        $('dropzone').focus();
      } else {
        showSigninError(status === 401 || status === 403 ? 'The admin key is not valid.'
          : status === 429 ? 'Too many attempts from this address: wait a few minutes, then try again.'
          : `Sign-in failed: ${status}`);
      }
    } catch {
      showSigninError('Sign-in failed: the server could not be reached.');
    } finally {
      button.disabled = false;
    }
  });

  $('signout').addEventListener('click', signOut);

  // ---- Upload -----------------------------------------------------------------------------------------------------
  const fileInput = $('file');
  const dropzone = $('dropzone');
  const uploadButton = $('upload-button');
  const cancelButton = $('cancel-button');
  const bar = $('upload-progress');
  const uploadStatus = $('upload-status');
  let chosen = null;
  let upload = null;

  const choose = (file) => {
    chosen = file || null;
    $('dropzone-file').textContent = chosen ? `${chosen.name} (${formatBytes(chosen.size)})` : 'No file chosen.';
  };

  fileInput.addEventListener('change', () => choose(fileInput.files[0]));
  dropzone.addEventListener('click', () => fileInput.click());
  dropzone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); }
  });
  ['dragenter', 'dragover'].forEach((type) => dropzone.addEventListener(type, (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    dropzone.classList.add('dragover');
  }));
  dropzone.addEventListener('dragleave', (e) => {
    if (!dropzone.contains(e.relatedTarget)) dropzone.classList.remove('dragover');
  });
  dropzone.addEventListener('drop', (e) => {
    e.preventDefault();
    dropzone.classList.remove('dragover');
    const files = e.dataTransfer && e.dataTransfer.files;
    if (!files || !files.length) return;
    try { fileInput.files = files; } catch { /* older browsers: keep the file in `chosen` only */ }
    choose(files[0]);
  });
  // A file dropped beside the zone would otherwise replace the page with the video.
  ['dragover', 'drop'].forEach((type) => window.addEventListener(type, (e) => {
    if (dropzone.contains(e.target) || e.target === fileInput) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
  }));

  const duration = (seconds) => (seconds < 100 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`);

  // Uploads are resumable (tus 1.0 through tus-js-client, POST/HEAD/PATCH/DELETE /api/uploads): the origins keep the
  // upload's offset in Redis and its bytes in the shared media store, so every request goes to the origin in use,
  // whatever origin the upload's URL names, and a request lost to the network (or a 502/503/504) moves the page to the
  // next origin before tus-js-client retries. A reload finds the upload again by the file (name, type, size, date; not
  // the origin) and resumes at the origin's offset.
  const tusBase = window.tus ? new window.tus.DefaultHttpStack({}) : null;
  let lost = null; // why the last origin was left, for the status line
  let resumingAt = null; // the offset a HEAD reported before a resume, until the next progress shows it
  const leave = (failed, reason) => {
    if (origins.current !== failed) return;
    const order = origins.order();
    origins.current = order[1] || order[0];
    lost = `${reason}; resuming on ${origins.current}`;
  };
  const tusStack = {
    createRequest(method, url) {
      const origin = origins.current;
      const target = new URL(url, location.href);
      const request = tusBase.createRequest(method, origin + target.pathname + target.search);
      const send = request.send.bind(request);
      request.send = (body) => send(body).then((response) => {
        const status = response.getStatus();
        if (isOutage(status)) leave(origin, `${origin} answered ${status}`);
        if (method === 'HEAD' && status === 200) resumingAt = Number(response.getHeader('Upload-Offset'));
        return response;
      }, (e) => { leave(origin, `the connection to ${origin} was lost`); throw e; });
      return request;
    },
    getName: () => 'vod-origins',
  };

  uploadButton.addEventListener('click', async () => {
    if (upload) return;
    const file = chosen || fileInput.files[0];
    if (!file) { uploadStatus.textContent = 'Choose a video file first.'; return; }
    if (!tusBase) { uploadStatus.textContent = 'The upload client (tus-js-client) did not load.'; return; }
    const name = $('name').value.trim();
    lost = null;
    resumingAt = null;
    const samples = [{ t: performance.now(), loaded: 0 }]; // for the rate over the last few seconds
    let lastText = 0;

    const finish = () => {
      upload = null;
      const refocus = document.activeElement === cancelButton;
      cancelButton.hidden = true;
      uploadButton.disabled = false;
      if (refocus) uploadButton.focus();
    };
    const percent = (n) => `${Math.floor((n / file.size) * 1000) / 10} %`;

    const current = new window.tus.Upload(file, {
      endpoint: `${origins.current}/api/uploads`,
      httpStack: tusStack,
      headers: { Authorization: `Bearer ${key}` },
      metadata: { filename: file.name, filetype: file.type || 'application/octet-stream', ...(name ? { name } : {}) },
      fingerprint: (f) => Promise.resolve(['vod-tus', f.name, f.type, f.size, f.lastModified].join('/')),
      removeFingerprintOnSuccess: true,
      retryDelays: [0, 1000, 2000, 3000, 5000, 5000, 10000, 10000],
      // Also 429 (the admin rate limit) and a network error (status 0): anything but a refusal of the file itself.
      onShouldRetry: (err) => {
        const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        return status === 0 || status >= 500 || status === 409 || status === 423 || status === 429;
      },
      onProgress: (loaded, total) => {
        if (upload !== current) return;
        const now = performance.now();
        bar.value = Math.floor((loaded / total) * 1000) / 10;
        if (resumingAt !== null) {
          uploadStatus.textContent = `${lost ? `${lost} · ` : ''}resuming at ${percent(resumingAt)}`;
          resumingAt = null;
          lastText = now;
          samples.splice(0, samples.length, { t: now, loaded });
          return;
        }
        samples.push({ t: now, loaded });
        while (samples.length > 2 && now - samples[1].t >= 3000) samples.shift();
        // The status is a live region: rewrite it about once a second, not on every progress event.
        if (now - lastText < 1000 && loaded < total) return;
        lastText = now;
        const parts = [`${formatBytes(loaded)} of ${formatBytes(total)}`];
        if (loaded >= total) {
          parts.push('processing…');
        } else {
          const first = samples[0];
          const rate = now > first.t ? (loaded - first.loaded) / ((now - first.t) / 1000) : 0;
          if (rate > 0) parts.push(`${formatBytes(rate)}/s`, `${duration(Math.ceil((total - loaded) / rate))} left`);
        }
        uploadStatus.textContent = parts.join(' · ');
      },
      onSuccess: async ({ lastResponse }) => {
        if (upload !== current) return;
        finish();
        bar.value = 100;
        const id = lastResponse && lastResponse.getHeader('Vod-Title');
        const where = lost ? ` (${lost})` : '';
        uploadStatus.textContent = `Uploaded: ${name || file.name}, transcoding…${where}`;
        fileInput.value = '';
        $('name').value = '';
        choose(null);
        if (!id) return;
        const r = await api(`/api/titles/${encodeURIComponent(id)}`, { headers: { ...auth(), Accept: 'application/json' } }).catch(() => null);
        if (r && r.ok) { upsert(await r.json()); updateEmpty(); }
      },
      onError: (err) => {
        if (upload !== current) return;
        finish();
        bar.value = 0;
        const response = err.originalResponse;
        uploadStatus.textContent = response && response.getStatus()
          ? problem(response.getBody(), response.getStatus())
          : `Upload failed: ${lost || 'the server could not be reached'}.`;
      },
    });
    upload = current;
    bar.value = 0;
    uploadButton.disabled = true;
    cancelButton.hidden = false;
    cancelButton.focus();
    uploadStatus.textContent = `Uploading ${file.name}…`;
    // The same file sent before (a reload, a crash of this page): go on from where the origins have it.
    const previous = await current.findPreviousUploads().catch(() => []);
    if (upload !== current) return;
    if (previous.length) {
      current.resumeFromPreviousUpload(previous[0]);
      uploadStatus.textContent = `Resuming ${file.name}…`;
    }
    current.start();
  });

  // Cancel ends the upload on the server too (tus termination: its state and bytes are removed).
  cancelButton.addEventListener('click', () => {
    if (!upload) return;
    const cancelled = upload;
    upload = null;
    cancelButton.hidden = true;
    uploadButton.disabled = false;
    bar.value = 0;
    uploadStatus.textContent = 'Upload cancelled.';
    cancelled.abort(true).catch(() => {});
  });

  // ---- Titles -----------------------------------------------------------------------------------------------------
  const titleBody = $('titles').tBodies[0];
  const titleStatus = $('titles-status');
  const rows = new Map(); // id -> { tr, title, seq }
  const gone = new Set(); // deleted ids (ids are never reused): a late list or event must not bring them back
  let seq = 0;

  // The catalog's event stream, read with fetch so that it carries the admin key: EventSource cannot send headers, and
  // without the key the origin streams ready titles only. It has the part of EventSource's shape this page uses (url,
  // readyState, close(), 'open', 'error' and named-event listeners); it never reconnects by itself.
  const STREAM_OPEN = 1;
  const STREAM_CLOSED = 2;
  const keyedEvents = (url, headers) => {
    const listeners = new Map();
    const controller = new AbortController();
    const stream = {
      url,
      readyState: 0,
      addEventListener(type, fn) { listeners.set(type, (listeners.get(type) || []).concat(fn)); },
      close() { stream.readyState = STREAM_CLOSED; controller.abort(); },
    };
    const emit = (type, data) => (listeners.get(type) || []).forEach((fn) => fn({ data }));
    (async () => {
      try {
        const r = await fetch(url, { headers: { ...headers, Accept: 'text/event-stream' }, cache: 'no-store', signal: controller.signal });
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
        stream.readyState = STREAM_OPEN;
        emit('open');
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let event = 'message';
        let data = [];
        for (;;) {
          const { value, done } = await reader.read();
          if (done) throw new Error('the stream ended');
          buffer += value;
          const lines = buffer.split('\n');
          buffer = lines.pop();
          lines.forEach((raw) => {
            const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
            if (line === '') {
              if (data.length && stream.readyState === STREAM_OPEN) emit(event, data.join('\n'));
              event = 'message';
              data = [];
            } else if (line.startsWith('event:')) {
              event = line.slice(6).trim();
            } else if (line.startsWith('data:')) {
              data.push(line.slice(5).replace(/^ /, ''));
            } // id:, retry: and comments are not used here
          });
        }
      } catch {
        if (stream.readyState === STREAM_CLOSED) return; // closed by the page
        stream.readyState = STREAM_CLOSED;
        emit('error');
      }
    })();
    return stream;
  };

  let events = null;
  let poll = null;
  let reopen = null;
  let eventFailures = 0;
  let loadFailed = false;

  const say = (message) => { titleStatus.textContent = message; };
  const updateEmpty = () => { $('titles-empty').hidden = rows.size > 0; };
  const nameOf = (id) => { const entry = rows.get(id); return entry ? entry.title.name : id; };

  const button = (className, text) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    return b;
  };

  const createRow = (id) => {
    const tr = document.createElement('tr');
    tr.dataset.id = id;
    for (let i = 0; i < 6; i++) tr.insertCell();
    const status = document.createElement('span');
    status.className = 'status';
    tr.cells[1].append(status);
    const purge = button('purge', 'Purge');
    const remove = button('delete', 'Delete');
    purge.addEventListener('click', () => purgeTitle(id, purge));
    remove.addEventListener('click', () => deleteTitle(id, remove));
    const ladder = document.createElement('details');
    ladder.className = 'ladder';
    ladder.hidden = true;
    ladder.append(document.createElement('summary'), document.createElement('ul'));
    tr.cells[5].append(purge, ' ', remove, ladder, subtitlesEditor(id));
    return tr;
  };

  // Subtitles: a ready title's tracks, each removable, and a form to add one (SRT or WebVTT). The form is made once per
  // row, so a title update (progress, another admin's edit) redraws the list without clearing what is being typed.
  const subtitlesEditor = (id) => {
    const details = document.createElement('details');
    details.className = 'subtitles';
    details.hidden = true;
    const summary = document.createElement('summary');
    summary.textContent = 'Subtitles';
    const list = document.createElement('ul');
    list.className = 'tracks';
    const form = document.createElement('form');
    form.className = 'subtitle-form';
    const field = (labelText, input) => {
      const label = document.createElement('label');
      label.append(labelText, ' ', input);
      return label;
    };
    const file = Object.assign(document.createElement('input'), { type: 'file', accept: '.srt,.vtt,text/vtt,application/x-subrip', name: 'file', required: true });
    const language = Object.assign(document.createElement('input'), { type: 'text', name: 'language', required: true, placeholder: 'en', size: 8, autocomplete: 'off' });
    const label = Object.assign(document.createElement('input'), { type: 'text', name: 'label', placeholder: 'optional', maxLength: 64, autocomplete: 'off' });
    const add = Object.assign(document.createElement('button'), { type: 'submit', className: 'add-subtitles', textContent: 'Add subtitles' });
    form.append(field('File', file), ' ', field('Language', language), ' ', field('Label', label), ' ', add);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(add, async () => {
        const name = nameOf(id);
        say(`Adding subtitles to ${name}…`);
        try {
          const r = await api(`/api/titles/${encodeURIComponent(id)}/subtitles`, { method: 'POST', headers: auth(), body: new FormData(form) });
          if (r.status === 201) {
            upsert(await r.json());
            form.reset();
            say(`Added subtitles to ${name}.`);
          } else {
            say(`Subtitles for ${name} were refused: ${await readProblem(r)}`);
          }
        } catch {
          say(`Adding subtitles to ${name} failed: the server could not be reached.`);
        }
      })();
    });
    details.append(summary, list, form);
    return details;
  };

  // The ladder as packaged: each rung's size and average bitrate, and for a per-title ladder what its trial measured.
  const renderLadder = (details, t) => {
    const rungs = t.status === 'ready' ? (t.renditions || []) : [];
    details.hidden = rungs.length === 0;
    const perTitle = rungs.some((r) => r.quality);
    details.querySelector('summary').textContent = `Ladder (${rungs.length} rungs${perTitle ? ', per title' : ''})`;
    details.querySelector('ul').replaceChildren(...rungs.map((r) => {
      const li = document.createElement('li');
      const q = r.quality;
      li.textContent = `${r.name}: ${r.width}x${r.height}, ${(r.averageBandwidth / 1e6).toFixed(2)} Mb/s`
        + (q ? `, ${q.crf == null ? 'fixed bitrate' : `CRF ${q.crf}`}, PSNR ${q.psnr.toFixed(2)} dB, SSIM ${q.ssim.toFixed(4)} (measured on samples)` : '');
      return li;
    }));
  };

  const renderSubtitles = (details, t) => {
    details.hidden = t.status !== 'ready';
    const tracks = t.subtitles || [];
    details.querySelector('summary').textContent = `Subtitles (${tracks.length})`;
    details.querySelector('ul.tracks').replaceChildren(...tracks.map((track) => {
      const li = document.createElement('li');
      li.append(`${track.label} (${track.language})${track.uploaded ? '' : ', from the source'} `);
      const remove = button('remove-subtitles', 'Remove');
      remove.title = `Remove the ${track.label} subtitles from ${t.name}`;
      remove.addEventListener('click', () => busy(remove, async () => {
        try {
          const r = await api(`/api/titles/${encodeURIComponent(t.id)}/subtitles/${encodeURIComponent(track.name)}`, { method: 'DELETE', headers: auth() });
          if (r.ok) {
            upsert(await r.json());
            say(`Removed the ${track.label} subtitles from ${t.name}.`);
          } else {
            say(`Removing subtitles from ${t.name} failed: ${await readProblem(r)}`);
          }
        } catch {
          say(`Removing subtitles from ${t.name} failed: the server could not be reached.`);
        }
      })());
      li.append(remove);
      return li;
    }));
  };

  const render = ({ tr, title: t }) => {
    const [nameCell, statusCell, progressCell, errorCell, watchCell, actionsCell] = tr.cells;
    nameCell.textContent = t.name;
    const status = statusCell.firstChild;
    status.textContent = t.status;
    status.dataset.status = t.status;

    if (t.status === 'transcoding') {
      let bar = progressCell.querySelector('progress.progress');
      if (!bar) {
        bar = document.createElement('progress');
        bar.className = 'progress';
        bar.max = 100;
        const percent = document.createElement('span');
        percent.className = 'percent';
        progressCell.replaceChildren(bar, ' ', percent);
      }
      const value = Math.max(0, Math.min(100, Number(t.progress) || 0));
      bar.value = value;
      bar.setAttribute('aria-label', `Transcoding ${t.name}`);
      progressCell.querySelector('.percent').textContent = `${value}%`;
    } else {
      progressCell.replaceChildren();
    }

    if (t.status === 'failed') {
      const error = document.createElement('span');
      error.className = 'error';
      error.textContent = t.error || 'Transcoding failed.';
      errorCell.replaceChildren(error);
    } else {
      errorCell.replaceChildren();
    }

    if (t.status === 'ready') {
      let watch = watchCell.querySelector('a.watch');
      if (!watch) {
        watch = document.createElement('a');
        watch.className = 'watch';
        watch.href = `/watch/${encodeURIComponent(t.id)}`;
        watch.textContent = 'Watch';
        watchCell.replaceChildren(watch);
      }
      watch.title = `Watch ${t.name}`;
    } else {
      watchCell.replaceChildren();
    }

    actionsCell.querySelector('.purge').title = `Purge ${t.name} from the edge caches`;
    actionsCell.querySelector('.delete').title = `Delete ${t.name}`;
    renderSubtitles(actionsCell.querySelector('details.subtitles'), t);
    renderLadder(actionsCell.querySelector('details.ladder'), t);
  };

  // Newest first, by createdAt.
  const place = (entry) => {
    const created = time(entry.title.createdAt);
    for (const tr of titleBody.rows) {
      const other = rows.get(tr.dataset.id);
      if (other && other !== entry && time(other.title.createdAt) < created) {
        titleBody.insertBefore(entry.tr, tr);
        return;
      }
    }
    titleBody.append(entry.tr);
  };

  const upsert = (t) => {
    if (!t || typeof t.id !== 'string' || gone.has(t.id)) return;
    const existing = rows.get(t.id);
    if (existing) {
      // A list fetched before an event arrived may be older than what the row shows.
      if (time(t.updatedAt) < time(existing.title.updatedAt)) return;
      existing.title = t;
      existing.seq = ++seq;
      render(existing);
      return;
    }
    const entry = { tr: createRow(t.id), title: t, seq: ++seq };
    rows.set(t.id, entry);
    render(entry);
    place(entry);
  };

  const removeTitle = (id) => {
    gone.add(id);
    const entry = rows.get(id);
    if (!entry) return;
    const hadFocus = entry.tr.contains(document.activeElement);
    entry.tr.remove();
    rows.delete(id);
    updateEmpty();
    if (hadFocus) $('titles-heading').focus();
  };

  const loadTitles = async () => {
    const mine = session;
    const start = seq;
    try {
      const r = await api('/api/titles', { headers: { ...auth(), Accept: 'application/json' } });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const titles = await r.json();
      if (mine !== session || !Array.isArray(titles)) return;
      const listed = new Set();
      titles.forEach((t) => { if (t && t.id) { listed.add(t.id); upsert(t); } });
      // Rows missing from the list were deleted, unless an event created or updated them after the fetch started.
      [...rows.values()].forEach((entry) => {
        if (!listed.has(entry.title.id) && entry.seq <= start) removeTitle(entry.title.id);
      });
      updateEmpty();
      if (loadFailed) { loadFailed = false; say(''); }
    } catch (e) {
      if (mine !== session) return;
      loadFailed = true;
      say(`The titles could not be loaded: ${e.message}`);
    }
  };

  const openEvents = () => {
    if (events) events.close();
    clearTimeout(reopen);
    const mine = session;
    const source = keyedEvents(`${origins.current}/api/titles/events`, auth());
    events = source;
    // Also on every reconnect: catch up on whatever changed while the stream was down.
    source.addEventListener('open', () => {
      if (events !== source) return;
      eventFailures = 0;
      loadTitles();
    });
    // The browser would reconnect by itself, but to the same origin, which may be dead: instead the list is loaded
    // again (which finds an origin that answers) and the stream reopened there, sooner after a first error.
    source.addEventListener('error', () => {
      if (events !== source || source.readyState === STREAM_OPEN) return;
      source.close();
      events = null;
      const delay = Math.min(10000, 500 * 2 ** eventFailures++);
      reopen = setTimeout(async () => {
        await loadTitles();
        if (mine === session && !events) openEvents();
      }, delay);
    });
    source.addEventListener('title', (e) => {
      if (events !== source) return;
      upsert(parse(e.data));
      updateEmpty();
    });
    source.addEventListener('deleted', (e) => {
      const data = parse(e.data);
      if (events === source && data && data.id) removeTitle(data.id);
    });
    // The poll below covers the gap while the stream is down.
  };

  const startTitles = () => {
    loadTitles();
    openEvents();
    poll = setInterval(() => {
      if (events && events.readyState === STREAM_OPEN) return;
      loadTitles();
      if (!events || events.readyState === STREAM_CLOSED) openEvents();
    }, 10000);
  };

  const stopTitles = () => {
    if (events) events.close();
    events = null;
    clearInterval(poll);
    poll = null;
    clearTimeout(reopen);
    reopen = null;
    eventFailures = 0;
    rows.clear();
    titleBody.replaceChildren();
    $('titles-empty').hidden = true;
    loadFailed = false;
    say('');
  };

  const busy = (b, run) => async () => {
    if (b.getAttribute('aria-busy') === 'true') return;
    b.setAttribute('aria-busy', 'true');
    try { await run(); } finally { b.removeAttribute('aria-busy'); }
  };

  const purgeTitle = (id, b) => busy(b, async () => {
    const name = nameOf(id);
    say(`Purging ${name}…`);
    try {
      const r = await api(`/api/titles/${encodeURIComponent(id)}/purge`, { method: 'POST', headers: auth() });
      if (r.ok) {
        const body = await r.json().catch(() => null);
        const generation = body && typeof body.generation === 'number' ? ` (generation ${body.generation})` : '';
        say(`Purged ${name} from the edge caches${generation}.`);
      } else {
        say(`Purge of ${name} failed: ${await readProblem(r)}`);
      }
    } catch {
      say(`Purge of ${name} failed: the server could not be reached.`);
    }
  })();

  const deleteTitle = (id, b) => busy(b, async () => {
    const name = nameOf(id);
    if (!confirm(`Delete "${name}"? Its media is removed for good.`)) return;
    try {
      const r = await api(`/api/titles/${encodeURIComponent(id)}`, { method: 'DELETE', headers: auth() });
      if (r.status === 204 || r.status === 404) {
        removeTitle(id);
        say(r.status === 204 ? `Deleted ${name}.` : `${name} was already deleted.`);
      } else {
        say(`Delete of ${name} failed: ${await readProblem(r)}`);
      }
    } catch {
      say(`Delete of ${name} failed: the server could not be reached.`);
    }
  })();

  // ---- Fleet ------------------------------------------------------------------------------------------------------
  const edgeBody = $('edges').tBodies[0];
  const edgeRows = new Map(); // id -> tr
  let edgeTimer = null;

  const ago = (iso) => {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? 'never' : `${Math.max(0, Math.round((Date.now() - t) / 1000))} s ago`;
  };

  const renderEdges = (edges) => {
    const seen = new Set();
    edges.forEach((edge, index) => {
      const id = String(edge.id);
      seen.add(id);
      let tr = edgeRows.get(id);
      if (!tr) {
        tr = document.createElement('tr');
        tr.dataset.edge = id;
        for (let i = 0; i < 6; i++) tr.insertCell();
        const state = document.createElement('span');
        state.className = 'state';
        tr.cells[2].append(state);
        edgeRows.set(id, tr);
      }
      if (edgeBody.rows[index] !== tr) edgeBody.insertBefore(tr, edgeBody.rows[index] || null);
      const [idCell, urlCell, stateCell, heartbeatCell, hitCell, bytesCell] = tr.cells;
      idCell.textContent = id;
      urlCell.textContent = edge.url || '–';
      const state = stateCell.firstChild;
      state.dataset.state = edge.state || '';
      state.textContent = edge.state === 'down' && edge.reason ? `down: ${edge.reason}` : edge.state || '–';
      const probe = typeof edge.probeMilliseconds === 'number' ? `probe ${Math.round(edge.probeMilliseconds)} ms` : '';
      state.title = [edge.routable ? 'routable' : 'not routable', probe].filter(Boolean).join(', ');
      heartbeatCell.textContent = ago(edge.lastHeartbeat);
      hitCell.textContent = typeof edge.hitRatio === 'number' ? `${(edge.hitRatio * 100).toFixed(1)}%` : '–';
      hitCell.title = typeof edge.requests === 'number' ? `${edge.requests} requests` : '';
      bytesCell.textContent = formatBytes(edge.bytesServed);
    });
    edgeRows.forEach((tr, id) => { if (!seen.has(id)) { tr.remove(); edgeRows.delete(id); } });
  };

  const loadEdges = async () => {
    const mine = session;
    const status = $('edges-status');
    try {
      const r = await api('/api/edges', { headers: { ...auth(), Accept: 'application/json' } });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const edges = await r.json();
      if (mine !== session) return;
      renderEdges(Array.isArray(edges) ? edges : []);
      const text = edgeRows.size ? '' : 'No edges have registered.';
      if (status.textContent !== text) status.textContent = text;
    } catch (e) {
      const text = `The fleet could not be loaded: ${e.message}`;
      if (mine === session && status.textContent !== text) status.textContent = text;
    } finally {
      if (mine === session) edgeTimer = setTimeout(loadEdges, 2000);
    }
  };

  const startEdges = () => { loadEdges(); };
  const stopEdges = () => {
    clearTimeout(edgeTimer);
    edgeTimer = null;
    edgeRows.clear();
    edgeBody.replaceChildren();
    $('edges-status').textContent = '';
  };

  // ---- Webhooks ---------------------------------------------------------------------------------------------------
  // GET /api/webhooks every 5 s (each endpoint with its last deliveries); add (the secret is shown once, here) and
  // delete. Every text from the server goes in with textContent.
  const hookBody = $('webhooks').tBodies[0];
  const hookStatus = $('webhook-status');
  let hookTimer = null;

  const describeDelivery = (d) => {
    const result = typeof d.statusCode === 'number' ? `status ${d.statusCode}` : d.error || '';
    return `${d.type} ${d.state} (${result}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}, ${ago(d.time)})`;
  };

  const renderWebhooks = (hooks) => {
    hookBody.replaceChildren();
    hooks.forEach((hook) => {
      const tr = hookBody.insertRow();
      tr.dataset.webhook = hook.id;
      tr.insertCell().textContent = hook.url;
      tr.insertCell().textContent = (hook.events || []).join(', ');
      const deliveries = tr.insertCell();
      const list = document.createElement('ul');
      (hook.deliveries || []).slice(0, 5).forEach((d) => {
        const li = document.createElement('li');
        li.dataset.state = d.state;
        li.textContent = describeDelivery(d);
        list.append(li);
      });
      if (hook.deliveriesError) deliveries.textContent = hook.deliveriesError;
      else if (list.children.length) deliveries.append(list);
      else deliveries.textContent = 'none yet';
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Delete';
      remove.addEventListener('click', async () => {
        if (!window.confirm(`Delete the webhook endpoint ${hook.url}?`)) return;
        const r = await api(`/api/webhooks/${encodeURIComponent(hook.id)}`, { method: 'DELETE', headers: auth() }).catch(() => null);
        hookStatus.textContent = !r ? 'The server could not be reached.' : r.ok ? `Deleted ${hook.url}.` : await readProblem(r);
        loadWebhooks(false);
      });
      tr.insertCell().append(remove);
    });
  };

  const loadWebhooks = async (again = true) => {
    const mine = session;
    try {
      const r = await api('/api/webhooks', { headers: { ...auth(), Accept: 'application/json' } });
      if (!r.ok) throw new Error(await readProblem(r));
      const hooks = await r.json();
      if (mine === session) renderWebhooks(Array.isArray(hooks) ? hooks : []);
    } catch (e) {
      if (mine === session) hookStatus.textContent = `The webhooks could not be loaded: ${e.message}`;
    } finally {
      if (again && mine === session) hookTimer = setTimeout(loadWebhooks, 5000);
    }
  };

  $('webhook-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const url = $('webhook-url').value.trim();
    const events = [...document.querySelectorAll('input[name="webhook-event"]:checked')].map((c) => c.value);
    if (events.length === 0) { hookStatus.textContent = 'Choose at least one event.'; return; }
    $('webhook-add').disabled = true;
    try {
      const r = await api('/api/webhooks', {
        method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: JSON.stringify({ url, events }),
      });
      if (r.status === 201) {
        const created = await r.json();
        $('webhook-secret-value').textContent = created.secret;
        $('webhook-secret').hidden = false;
        hookStatus.textContent = `Added ${created.url}.`;
        $('webhook-url').value = '';
        loadWebhooks(false);
      } else {
        hookStatus.textContent = `Not added: ${await readProblem(r)}`;
      }
    } catch {
      hookStatus.textContent = 'Not added: the server could not be reached.';
    } finally {
      $('webhook-add').disabled = false;
    }
  });

  const startWebhooks = () => { loadWebhooks(); };
  const stopWebhooks = () => {
    clearTimeout(hookTimer);
    hookTimer = null;
    hookBody.replaceChildren();
    hookStatus.textContent = '';
    $('webhook-secret').hidden = true;
    $('webhook-secret-value').textContent = '';
  };

  // ---- Start ------------------------------------------------------------------------------------------------------
  // For tests and diagnostics: the origins this page calls, and the one its live stream is open on.
  window.vodAdmin = { origins, eventsUrl: () => (events && events.readyState === STREAM_OPEN ? events.url : null) };

  // A key kept from earlier in this tab is checked silently; only a rejected key is forgotten.
  let stored = null;
  try { stored = sessionStorage.getItem(STORAGE); } catch { /* storage disabled */ }
  if (stored) {
    check(stored).then((status) => {
      if (key !== null) return; // signed in through the form meanwhile
      if (accepted(status)) signIn(stored);
      else if (status === 401 || status === 403) sessionStorage.removeItem(STORAGE);
    }).catch(() => {});
  }
})();
