// The watch page: plays /play/{id}/master.m3u8 with hls.js (native HLS on Safari), follows content steering, and
// keeps playback stats on window.vodPlayer (tests read them; the overlay shows them).
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
    longestStallMs: 0, stallMs: 0, startedAt: null, recoveries: [],
  };
  const player = { stats, hls: null, pathway: () => stats.lastFragmentHost };
  window.vodPlayer = player;

  const showError = (message) => { const e = $('error'); e.textContent = message; e.hidden = false; };

  fetch(`/api/titles/${encodeURIComponent(id)}`).then((r) => r.ok ? r.json() : null).then((t) => {
    $('title').textContent = t ? t.name : 'Unknown title';
    document.title = t ? `${t.name} – Watch` : 'Watch';
  }).catch(() => {});

  // Recovery. hls.js keeps a pathway (an edge) that failed out of use for five minutes and gives up once every
  // pathway it knows has failed. In a rolling restart of the edges that is the normal case: the edge that came back is
  // still in the penalty box when the next one goes. So a fatal network error rebuilds the player from a fresh master
  // playlist (it lists the edges alive now) at the position reached; a fatal media error first gets hls.js's own
  // recoverMediaError. At most three rebuilds a minute; after that the error is shown, as before.
  const rebuildsPerMinute = 3;
  const rebuilds = [];
  let mediaRecoveryTried = false;

  const createPlayer = (startPosition) => {
    const hls = new Hls({ ...config, startPosition });
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
    hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => {
      const select = $('quality');
      select.replaceChildren(select.options[0]); // keep "Auto"; a rebuilt player lists its rungs again
      const seen = new Set();
      data.levels.forEach((level, index) => {
        if (seen.has(level.height)) return;
        seen.add(level.height);
        const option = document.createElement('option');
        option.value = index;
        option.textContent = `${level.height}p`;
        select.append(option);
      });
    });
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

  if (window.Hls && Hls.isSupported()) {
    $('quality').addEventListener('change', (e) => { player.hls.currentLevel = Number(e.target.value); });
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
    $('rung').textContent = level ? `${level.height}p` : '–';
    $('bandwidth').textContent = hls ? `${(hls.bandwidthEstimate / 1e6).toFixed(2)} Mb/s` : '–';
    const buffered = video.buffered.length ? video.buffered.end(video.buffered.length - 1) - video.currentTime : 0;
    $('buffer').textContent = `${Math.max(0, buffered).toFixed(1)} s`;
  }, 100);
})();
