// /players/videojs/{id}: /play/{id}/master.m3u8 from this origin in video.js 8 with its built-in HLS engine (VHS,
// @videojs/http-streaming, from npm video.js, served from /vendor/), with the settings README's "Players" recommends,
// and playback stats on window.playerStats (the same shape as /players/shaka) for tests.
(() => {
  'use strict';
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const source = `/play/${encodeURIComponent(id)}/master.m3u8`;

  const playback = trackPlayback(document.getElementById('video')); // video.js keeps this element as its HTML5 tech
  const { stats } = playback;

  if (!window.videojs) {
    playback.fail('missing', 'video.js is missing (run npm ci in src/Origin).');
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
    if (error || !response || response.statusCode >= 400) {
      playback.failed(request.uri, request.aborted ? 'aborted' : (response && response.statusCode) || 'no response');
    } else {
      playback.segment(request.uri, (response.headers && response.headers['content-range'] || '').replace('bytes ', ''));
    }
  });

  const player = videojs('video', {
    muted: true,
    autoplay: 'muted',
    preload: 'auto',
    html5: { vhs: { overrideNative: true }, nativeAudioTracks: false, nativeVideoTracks: false },
  });
  window.vjsPlayer = player;

  player.on('error', () => {
    const error = player.error();
    stats.errors.push({ code: error && error.code, message: error && error.message });
    playback.fail((error && (error.code + ' ' + error.message)) || 'error');
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
      if (event.name && event.name.startsWith(prefix)) playback.log(`switch (${event.name.slice(prefix.length)})`);
    });
  });
  player.src({ src: source, type: 'application/x-mpegURL' });
  player.ready(() => { const p = player.play(); if (p && p.catch) p.catch(() => {}); });
})();
