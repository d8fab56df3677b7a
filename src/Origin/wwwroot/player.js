// The watch page: plays /play/{id}/master.m3u8 with hls.js (native HLS on Safari), follows content steering, and
// keeps playback stats on window.vodPlayer (tests read them; the overlay shows them). What it asks the origins (the
// master playlist, steering, the title) falls back to the other origins of /api/origins when the one in use fails.
(() => {
  'use strict';
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const source = `/play/${encodeURIComponent(id)}/master.m3u8`;
  const video = document.getElementById('video');
  const $ = (name) => document.getElementById(name);

  // Failover tuning. hls.js defaults wait up to 10 s for a fragment and retry the same host several times, which
  // turns a dead or hung edge into a long stall. A fragment here is a 4 s segment of at most a few MB on an edge that
  // answers from memory: time-to-first-byte over 2 s means that edge is in trouble, so give up on it quickly, retry
  // once, and let hls.js move to the next pathway of the redundant variants (content steering reorders them).
  // Measured with these values (browser tests, two edges, 4 s segments, 10 s buffer): the edge in use SIGKILLed →
  // longest stall 0 ms; SIGSTOPped for 90 s (hung, accepts and never answers) → longest stall 100 ms, 0 errors, the
  // origin's monitor dropping it from steering after 2 s. hls.js defaults stall for over a minute on a hung edge.
  const quickPolicy = (firstByteMs, loadMs) => ({
    default: {
      maxTimeToFirstByteMs: firstByteMs,
      maxLoadTimeMs: loadMs,
      timeoutRetry: { maxNumRetry: 1, retryDelayMs: 0, maxRetryDelayMs: 0 },
      errorRetry: { maxNumRetry: 1, retryDelayMs: 250, maxRetryDelayMs: 500 },
    },
  });
  // Buffer about 10 s ahead (by default hls.js grows the target with maxBufferSize up to 600 s, which would fetch a
  // short title whole at start): enough to ride out a failover, little to waste on a seek or a rung switch.
  const config = {
    contentSteeringEnabled: true,
    maxBufferLength: 10,
    maxMaxBufferLength: 10,
    fragLoadPolicy: quickPolicy(2000, 10000),
    playlistLoadPolicy: quickPolicy(2000, 4000),
    manifestLoadPolicy: quickPolicy(3000, 6000),
    steeringManifestLoadPolicy: quickPolicy(2000, 4000),
  };

  const stats = {
    state: 'loading', errors: [], fatal: null, lastFragmentHost: null, lastPathway: null, fragmentHosts: {},
    longestStallMs: 0, stallMs: 0, startedAt: null, recoveries: [], entries: [location.origin], entryFailovers: 0,
  };
  const player = { stats, hls: null, pathway: () => stats.lastFragmentHost };
  window.vodPlayer = player;

  const showError = (message) => { const e = $('error'); e.textContent = message; e.hidden = false; };

  // Entry origins. Every origin serves this page, the catalog, playback manifests and steering from the same media
  // store, so when the origin that served the page dies another one answers the same request. /api/origins lists the
  // live ones (the answering one first); a request to an origin tries the entry that last worked first, then the
  // ones after it in the list, each once. Media comes from the edges, which fail over through pathways instead.
  const entries = {
    current: location.origin, // the entry that last answered
    // The origin of `url` if it is an entry, else null.
    of(url) {
      try { const origin = new URL(url, location.href).origin; return stats.entries.includes(origin) ? origin : null; } catch { return null; }
    },
    // Every entry once, starting with the one that last worked.
    order() {
      const list = stats.entries;
      const start = Math.max(0, list.indexOf(entries.current));
      return list.slice(start).concat(list.slice(0, start));
    },
    // The server's order; an origin known before stays listed last (the playlists in use may point at it), so the
    // list never shrinks during a session.
    set(list) {
      const origins = [];
      (Array.isArray(list) ? list : []).concat(stats.entries).forEach((url) => {
        try { const o = new URL(url).origin; if (!origins.includes(o)) origins.push(o); } catch { /* not a URL */ }
      });
      stats.entries = origins;
    },
  };
  // An outage (the origin is gone, or a proxy in front of it says so), as opposed to an answer such as a 404.
  const isOutage = (status) => status === 0 || status >= 500;

  // fetch() of an origin path through the entries in order.
  const entryFetch = async (path) => {
    let failure = new Error('no entry');
    const order = entries.order();
    for (let i = 0; i < order.length; i++) {
      if (i > 0) stats.entryFailovers++;
      try {
        const r = await fetch(order[i] + path, { cache: 'no-store', signal: AbortSignal.timeout(5000) });
        if (!isOutage(r.status)) { entries.current = order[i]; return r; }
        failure = new Error(`HTTP ${r.status} from ${order[i]}`);
      } catch (e) {
        failure = e;
      }
    }
    throw failure;
  };

  // The list is read at start (the page's own origin answered a moment ago) and then now and then, so that a long
  // session also knows origins that joined later; until then the page's own origin is the only entry.
  const loadEntries = () => entryFetch('/api/origins').then((r) => r.ok ? r.json() : null)
    .then((body) => entries.set(body && body.origins)).catch(() => {});
  const entriesLoaded = loadEntries();
  setInterval(loadEntries, 60000);

  entriesLoaded.then(() => entryFetch(`/api/titles/${encodeURIComponent(id)}`)).then((r) => r.ok ? r.json() : null).then((t) => {
    $('title').textContent = t ? t.name : 'Unknown title';
    document.title = t ? `${t.name} – Watch` : 'Watch';
    if (t && t.storyboardUrl) loadStoryboard();
  }).catch(() => {});

  // Seek previews (trick play). The origin's /play/{id}/storyboard.vtt names, per cue, one tile of a sprite sheet on
  // an edge (signed when playback is: a page cannot sign URLs). Hovering over the seek bar, dragging it, or moving it
  // with the keys shows that tile above the bar. A sheet that fails to load (its edge went away) makes the page read
  // the storyboard again, which names the edge now first, at most every 10 s.
  const seek = $('seek');
  const preview = $('preview');
  const previewImage = $('preview-image');
  const storyboard = { cues: [], images: {}, loadedAt: -Infinity };
  player.storyboard = storyboard;
  const seconds = (stamp) => stamp.split(':').reduce((sum, part) => sum * 60 + parseFloat(part), 0);
  const clock = (t) => { const s = Math.max(0, Math.floor(t)); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`; };
  const loadStoryboard = async () => {
    storyboard.loadedAt = performance.now();
    try {
      const r = await entryFetch(`/play/${encodeURIComponent(id)}/storyboard.vtt`);
      if (!r.ok) return;
      const cues = [];
      for (const block of (await r.text()).split(/\r?\n\r?\n/)) {
        const lines = block.split(/\r?\n/);
        const at = lines.findIndex((l) => l.includes('-->'));
        const m = at >= 0 && lines[at + 1] && /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(lines[at + 1].trim());
        if (!m) continue;
        const [start, end] = lines[at].split('-->').map((p) => seconds(p.trim().split(/\s/)[0]));
        cues.push({ start, end, url: m[1], x: +m[2], y: +m[3], w: +m[4], h: +m[5] });
      }
      storyboard.cues = cues;
      storyboard.images = {};
    } catch { /* no previews; seeking still works */ }
  };
  const duration = () => (Number.isFinite(video.duration) && video.duration > 0 ? video.duration
    : storyboard.cues.length ? storyboard.cues[storyboard.cues.length - 1].end : 0);
  // One Image per sheet, so a sheet is fetched once and its load is known (the preview says so in data-loaded).
  const sheet = (url) => {
    let image = storyboard.images[url];
    if (!image) {
      image = new Image();
      image.onload = () => { if (preview.dataset.sheet === url) preview.dataset.loaded = 'true'; };
      image.onerror = () => { if (performance.now() - storyboard.loadedAt > 10000) loadStoryboard(); };
      image.src = url;
      storyboard.images[url] = image;
    }
    return image;
  };
  const showPreview = (time, clientX) => {
    const cues = storyboard.cues;
    const cue = cues.find((c) => time >= c.start && time < c.end) || (cues.length && time >= cues[cues.length - 1].start ? cues[cues.length - 1] : null);
    if (!cue) { preview.hidden = true; return; }
    const image = sheet(cue.url);
    Object.assign(previewImage.style, {
      width: `${cue.w}px`, height: `${cue.h}px`, backgroundImage: `url("${cue.url}")`, backgroundPosition: `-${cue.x}px -${cue.y}px`,
    });
    preview.dataset.sheet = cue.url;
    preview.dataset.loaded = String(image.complete && image.naturalWidth > 0);
    $('preview-time').textContent = clock(time);
    const box = preview.parentElement.getBoundingClientRect();
    preview.style.left = `${Math.max(0, Math.min(clientX - box.left - cue.w / 2, box.width - cue.w - 6))}px`;
    preview.hidden = false;
  };
  const fraction = (clientX) => { const r = seek.getBoundingClientRect(); return Math.min(1, Math.max(0, (clientX - r.left) / r.width)); };
  const thumbX = () => { const r = seek.getBoundingClientRect(); return r.left + (duration() ? seek.value / duration() : 0) * r.width; };
  let dragging = false;
  seek.addEventListener('pointermove', (e) => { if (!dragging) showPreview(fraction(e.clientX) * duration(), e.clientX); });
  seek.addEventListener('pointerleave', () => { if (!dragging) preview.hidden = true; });
  seek.addEventListener('pointerdown', () => { dragging = true; });
  document.addEventListener('pointerup', () => { if (dragging) { dragging = false; preview.hidden = true; } });
  seek.addEventListener('input', () => showPreview(Number(seek.value), thumbX())); // dragging, or the arrow keys
  seek.addEventListener('change', () => { video.currentTime = Number(seek.value); });
  seek.addEventListener('blur', () => { preview.hidden = true; });
  const syncSeek = () => {
    seek.max = String(duration());
    if (!dragging) seek.value = String(video.currentTime);
    seek.setAttribute('aria-valuetext', `${clock(Number(seek.value))} of ${clock(duration())}`);
  };
  video.addEventListener('timeupdate', syncSeek);
  video.addEventListener('durationchange', syncSeek);

  // hls.js's loader, wrapped: a request to an entry origin (the master playlist, steering; its SERVER-URI is relative
  // to the master's URL) that fails or times out is sent again, same path and query, to the next entry, and hls.js
  // hears of the failure only when every entry failed. Any other request (media playlists and fragments on the edges)
  // goes to hls.js's own loader untouched. hls.js uses a loader once, so each attempt gets a fresh inner loader; the
  // stats object hls.js holds stays the same one throughout.
  const entryLoader = (Inner) => class EntryLoader {
    constructor(config) {
      this.config = config;
      this.inner = new Inner(config);
      this.stats = this.inner.stats;
      this.context = null;
      this.stopped = false;
    }

    load(context, loaderConfig, callbacks) {
      this.context = context;
      if (!entries.of(context.url)) {
        this.inner.load(context, loaderConfig, callbacks);
        return;
      }
      const url = new URL(context.url, location.href);
      const rest = url.pathname + url.search;
      const order = entries.order();
      // With another entry left, it is the better retry than the same origin again.
      const once = { ...loaderConfig.loadPolicy, timeoutRetry: null, errorRetry: null };
      const attempt = (i) => {
        const inner = i === 0 ? this.inner : this.fresh();
        const last = i === order.length - 1;
        const next = () => {
          if (last || this.stopped) return false;
          stats.entryFailovers++;
          inner.destroy();
          attempt(i + 1);
          return true;
        };
        inner.load({ ...context, url: order[i] + rest }, { ...loaderConfig, loadPolicy: last ? loaderConfig.loadPolicy : once }, {
          onSuccess: (response, s, _, details) => {
            entries.current = order[i];
            callbacks.onSuccess(response, s, context, details);
          },
          onError: (error, _, details, s) => {
            if (isOutage(error.code) && next()) return;
            callbacks.onError(error, context, details, s);
          },
          onTimeout: (s, _, details) => {
            if (next()) return;
            callbacks.onTimeout(s, context, details);
          },
          onAbort: callbacks.onAbort && ((s, _, details) => callbacks.onAbort(s, context, details)),
          onProgress: callbacks.onProgress && ((s, _, data, details) => callbacks.onProgress(s, context, data, details)),
        });
      };
      attempt(0);
    }

    // A new inner loader that fills the same stats object, reset for its attempt.
    fresh() {
      const inner = new Inner(this.config);
      const retry = this.stats.retry;
      Object.assign(this.stats, inner.stats, { retry });
      inner.stats = this.stats;
      this.inner = inner;
      return inner;
    }

    abort() { this.stopped = true; this.inner.abort(); }
    destroy() { this.stopped = true; this.inner.destroy(); }
    getCacheAge() { return this.inner.getCacheAge ? this.inner.getCacheAge() : null; }
    getResponseHeader(name) { return this.inner.getResponseHeader ? this.inner.getResponseHeader(name) : null; }
  };

  // Recovery. hls.js keeps a pathway (an edge) that failed out of use for five minutes and gives up once every
  // pathway it knows has failed. In a rolling restart of the edges that is the normal case: the edge that came back is
  // still in the penalty box when the next one goes. So a fatal network error rebuilds the player from a fresh master
  // playlist (it lists the edges alive now) at the position reached; a fatal media error first gets hls.js's own
  // recoverMediaError. At most three rebuilds a minute; after that the error is shown, as before.
  const rebuildsPerMinute = 3;
  const rebuilds = [];
  let mediaRecoveryTried = false;

  const createPlayer = (startPosition) => {
    const hls = new Hls({ ...config, loader: EntryLoader, startPosition });
    player.hls = hls;
    hls.on(Hls.Events.FRAG_LOADED, (_, data) => {
      const host = new URL(data.frag.url, location.href).host;
      const level = hls.levels[data.frag.level];
      stats.lastPathway = (level && level.attrs && level.attrs['PATHWAY-ID']) || null;
      stats.lastFragmentHost = host;
      stats.fragmentHosts[host] = (stats.fragmentHosts[host] || 0) + 1;
    });
    hls.on(Hls.Events.ERROR, (_, data) => {
      stats.errors.push({ type: data.type, details: data.details, fatal: data.fatal, at: video.currentTime });
      if (!data.fatal || hls !== player.hls) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !mediaRecoveryTried) {
        mediaRecoveryTried = true;
        hls.recoverMediaError();
        return;
      }
      const now = performance.now();
      while (rebuilds.length && now - rebuilds[0] > 60000) rebuilds.shift();
      if (rebuilds.length < rebuildsPerMinute) {
        rebuilds.push(now);
        stats.recoveries.push({ details: data.details, at: video.currentTime });
        setTimeout(rebuild, 0); // not from inside the failing player's own event dispatch
        return;
      }
      stats.fatal = data.details;
      showError(`Playback failed: ${data.details}`);
    });
    // The quality menu: Auto, then one entry per height among the variants of the codec family in play. A title with
    // AV1 copies has two variants per height; hls.js starts with the family it prefers among those the browser
    // decodes (AV1 before H.264: MediaSource.isTypeSupported, then its codec preference order) and its ABR never
    // leaves that family, so the menu offers that family's rungs only: a pick of the other one would change codecs
    // mid-stream for nothing. Until a rung is chosen, the first variant of each height is listed.
    let qualityCodecSet = null;
    const fillQuality = (codecSet) => {
      qualityCodecSet = codecSet;
      const select = $('quality');
      select.replaceChildren(select.options[0]); // keep "Auto"; a rebuilt player lists its rungs again
      const seen = new Set();
      hls.levels.forEach((level, index) => {
        if ((codecSet && level.codecSet !== codecSet) || seen.has(level.height)) return;
        seen.add(level.height);
        const option = document.createElement('option');
        option.value = index;
        option.textContent = `${level.height}p`;
        select.append(option);
      });
      select.value = String(hls.manualLevel);
      if (select.selectedIndex < 0) select.value = '-1';
    };
    hls.on(Hls.Events.MANIFEST_PARSED, () => fillQuality(null));
    hls.on(Hls.Events.LEVEL_SWITCHING, (_, data) => {
      const level = hls.levels[data.level];
      if (level && level.codecSet !== qualityCodecSet) fillQuality(level.codecSet);
    });
    // The audio menu: the tracks of the current pathway's audio group (hls.js lists only those, and keeps the chosen
    // track's name and language when a pathway change moves it to another group); shown when there is a choice.
    hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, () => {
      const select = $('audio');
      select.replaceChildren(...hls.audioTracks.map((track, index) => {
        const option = document.createElement('option');
        option.value = index;
        option.textContent = track.name + (track.lang && track.lang !== 'und' ? ` (${track.lang})` : '');
        return option;
      }));
      select.value = String(hls.audioTrack);
      $('audio-menu').hidden = hls.audioTracks.length < 2;
    });
    hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, (_, data) => { $('audio').value = String(data.id); });
    // The subtitle menu: Off, then the tracks of the current pathway's subtitle group (none is on by default). The
    // viewer's choice is kept by name and language, so a rebuilt player shows the same track again.
    hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, () => {
      const select = $('subtitles');
      select.replaceChildren(select.options[0], ...hls.subtitleTracks.map((track, index) => {
        const option = document.createElement('option');
        option.value = index;
        option.textContent = track.name + (track.lang && track.lang !== 'und' ? ` (${track.lang})` : '');
        return option;
      }));
      const chosen = player.subtitles;
      const index = chosen ? hls.subtitleTracks.findIndex((t) => t.name === chosen.name && t.lang === chosen.lang) : -1;
      if (index !== hls.subtitleTrack) hls.subtitleTrack = index;
      select.value = String(index);
      $('subtitles-menu').hidden = hls.subtitleTracks.length === 0;
    });
    hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, (_, data) => { $('subtitles').value = String(data.id); });
    hls.loadSource(source);
    hls.attachMedia(video);
  };

  const rebuild = () => {
    const position = video.currentTime;
    player.hls.destroy();
    mediaRecoveryTried = false;
    createPlayer(position);
    video.play().catch(() => {});
  };

  const EntryLoader = window.Hls ? entryLoader(Hls.DefaultConfig.loader) : null;
  if (window.Hls && Hls.isSupported()) {
    $('quality').addEventListener('change', (e) => { player.hls.currentLevel = Number(e.target.value); });
    $('audio').addEventListener('change', (e) => { player.hls.audioTrack = Number(e.target.value); });
    $('subtitles').addEventListener('change', (e) => {
      const index = Number(e.target.value);
      const track = player.hls.subtitleTracks[index];
      player.subtitles = track ? { name: track.name, lang: track.lang } : null;
      player.hls.subtitleDisplay = true;
      player.hls.subtitleTrack = index;
    });
    createPlayer(-1);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = source; // Safari: native HLS, which also follows content steering
  } else {
    showError('This browser cannot play HLS.');
  }

  video.addEventListener('playing', () => { stats.state = 'playing'; stats.startedAt ??= performance.now(); });
  video.addEventListener('ended', () => { stats.state = 'ended'; });
  video.play().catch(() => {});

  // A stall is time during which currentTime does not move although the video is neither paused nor ended.
  let lastTime = -1;
  let lastTick = performance.now();
  setInterval(() => {
    const now = performance.now();
    const moving = video.currentTime !== lastTime;
    if (stats.startedAt !== null && !video.paused && !video.ended && !moving) {
      stats.stallMs += now - lastTick;
      stats.longestStallMs = Math.max(stats.longestStallMs, stats.stallMs);
    } else {
      stats.stallMs = 0;
    }
    lastTime = video.currentTime;
    lastTick = now;

    const hls = player.hls;
    const level = hls && hls.levels[hls.currentLevel];
    $('edge').textContent = stats.lastFragmentHost
      ? (stats.lastPathway ? `${stats.lastPathway} · ${stats.lastFragmentHost}` : stats.lastFragmentHost)
      : '–';
    $('rung').textContent = level ? `${level.height}p${(level.videoCodec || '').startsWith('av01') ? ' AV1' : ''}` : '–';
    $('bandwidth').textContent = hls ? `${(hls.bandwidthEstimate / 1e6).toFixed(2)} Mb/s` : '–';
    const buffered = video.buffered.length ? video.buffered.end(video.buffered.length - 1) - video.currentTime : 0;
    $('buffer').textContent = `${Math.max(0, buffered).toFixed(1)} s`;
  }, 100);
})();
