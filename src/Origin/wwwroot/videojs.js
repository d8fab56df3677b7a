// /players/videojs/{id}: /play/{id}/master.m3u8 from this origin in video.js 8 with its built-in HLS engine (VHS,
// @videojs/http-streaming, from npm video.js, served from /vendor/), with the settings README's "Players" recommends,
// and playback stats on window.playerStats (the same shape as /players/shaka) for tests.
(() => {
  'use strict';
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const source = `/play/${encodeURIComponent(id)}/master.m3u8`;

  const stats = { state: 'loading', currentTime: 0, longestStallMs: 0, fatal: null, hosts: {}, lastHost: null, log: [], errors: [] };
  window.playerStats = stats;
  const showError = (message) => { const e = document.getElementById('error'); e.textContent = message; e.hidden = false; };

  if (!window.videojs) {
    showError('video.js is missing (run npm ci in src/Origin).');
    return;
  }

  // VHS follows EXT-X-CONTENT-STEERING by itself (no option); what matters is the buffer. Its default goal is 30 s
  // (up to 60 s), so a short title is fetched whole before anything can fail; 10 s is what the other players keep.
  const vhsConfig = { GOAL_BUFFER_LENGTH: 10, MAX_GOAL_BUFFER_LENGTH: 10 };
  const warn = videojs.log.warn;
  videojs.log.warn = () => {}; // setting these logs "UNSAFE" warnings
  for (const [key, value] of Object.entries(vhsConfig)) videojs.Vhs[key] = value;
  videojs.log.warn = warn;

  // Segment responses by host (VHS's global response hook, video.js 8.24); a failed request is logged, not counted.
  videojs.Vhs.xhr.onResponse((request, error, response) => {
    if (request.requestType !== 'segment') return;
    try {
      const host = new URL(request.uri, location.href).host;
      if (error || !response || response.statusCode >= 400) {
        if (stats.log.length < 200) stats.log.push(`${host} failed (${request.aborted ? 'aborted' : (response && response.statusCode) || 'no response'}) at ${stats.currentTime.toFixed(1)} s`);
        return;
      }
      stats.hosts[host] = (stats.hosts[host] || 0) + 1;
      stats.lastHost = host;
      if (stats.log.length < 200) stats.log.push(`${host} ${(response.headers && response.headers['content-range'] || '').replace('bytes ', '')} at ${stats.currentTime.toFixed(1)} s`);
    } catch { /* not a URL */ }
  });

  const player = videojs('video', {
    muted: true,
    autoplay: 'muted',
    preload: 'auto',
    html5: { vhs: { overrideNative: true }, nativeAudioTracks: false, nativeVideoTracks: false },
  });
  window.vjsPlayer = player;

  // A stall: time during which currentTime does not move although the video plays, from the first 'playing' on;
  // 'waiting' starts one at once.
  let started = false;
  let stallStart = null;
  let lastTime = -1;
  const endStall = () => {
    if (stallStart !== null) stats.longestStallMs = Math.max(stats.longestStallMs, performance.now() - stallStart);
    stallStart = null;
  };
  player.on('waiting', () => { if (started && stallStart === null) stallStart = performance.now(); });
  player.on('playing', () => { started = true; if (stats.state !== 'ended') stats.state = 'playing'; endStall(); });
  player.on('ended', () => { stats.state = 'ended'; endStall(); });
  player.on('timeupdate', () => { stats.currentTime = player.currentTime(); });
  player.on('error', () => {
    const error = player.error();
    stats.fatal = String((error && (error.code + ' ' + error.message)) || 'error');
    stats.errors.push({ code: error && error.code, message: error && error.message });
    showError(`Playback failed: ${stats.fatal}`);
  });
  // VHS reports on the tech, not the player: non-fatal trouble it recovers from (a rendition excluded, a playlist
  // retried) as errors, and every rendition switch with its cause ('content-steering', 'exclude', 'abr', ...) in the log.
  player.ready(() => {
    const tech = player.tech(true);
    const at = () => Number(player.currentTime().toFixed(1));
    for (const name of ['excludeplaylist', 'retryplaylist']) {
      tech.on(name, () => { if (stats.errors.length < 50) stats.errors.push({ event: name, at: at() }); });
    }
    tech.on('usage', (event) => {
      const prefix = 'vhs-rendition-change-';
      if (event.name && event.name.startsWith(prefix) && stats.log.length < 200) stats.log.push(`switch (${event.name.slice(prefix.length)}) at ${at()} s`);
    });
  });
  setInterval(() => {
    const time = player.currentTime();
    stats.currentTime = time;
    const moving = time !== lastTime;
    lastTime = time;
    if (!started || player.paused() || player.ended() || moving) {
      endStall();
    } else {
      stallStart ??= performance.now() - 100;
      stats.longestStallMs = Math.max(stats.longestStallMs, performance.now() - stallStart);
    }
  }, 100);

  player.src({ src: source, type: 'application/x-mpegURL' });
  player.ready(() => { const p = player.play(); if (p && p.catch) p.catch(() => {}); });
})();
