// /players/shaka/{id}: /play/{id}/master.m3u8 from this origin in Shaka Player (npm shaka-player, served from
// /vendor/), with the settings README's "Players" recommends, and playback stats on window.playerStats for tests;
// /players/shaka/{id}?format=dash plays /play/{id}/manifest.mpd instead (the same settings and stats).
// Shaka fails over between edges only when every edge has a host name of its own: see README, "Players".
(() => {
  'use strict';
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const dash = new URLSearchParams(location.search).get('format') === 'dash';
  const source = `/play/${encodeURIComponent(id)}/${dash ? 'manifest.mpd' : 'master.m3u8'}`;
  const video = document.getElementById('video');

  // Retries: NetworkingEngine moves to the next URI of a stream (one per pathway, i.e. per edge) on each retry, so
  // maxAttempts must be at least the number of edges; short time-outs turn a dead or hung edge into a quick retry.
  // (lib/net/networking_engine.js send_: index = request.attempt % request.uris.length, and onRetry bans the failed
  // URI's host name in every pathway for 60 s: lib/util/content_steering_manager.js banLocation/getLocations.)
  // DASH (Shaka 5.2.12): the MPD's BaseURLs with a serviceLocation are the pathways (lib/dash/dash_parser.js
  // processManifest_ and createFrame_ addLocation), ordered by the steering server's PATHWAY-PRIORITY. With SegmentBase
  // the URI list of every segment is fixed when the stream's index is built (lib/dash/segment_base.js
  // createSegmentIndex: segUris; createInitSegment: resolvedUris, at parse time), so each request starts on the first
  // edge of that list again and a hung edge costs one connectionTimeout per request, not a stall. Before the first
  // steering answer, or without one, the list is the defaultServiceLocation pathways only (getLocations), so the MPD
  // must list every edge there, space-separated in steering order (defaultServiceLocation="edge-1 edge-2": Shaka finds no
  // pathway of that name and takes every BaseURL in MPD order), or Shaka has no second edge to go to.
  const retry = { maxAttempts: 4, baseDelay: 250, backoffFactor: 2, fuzzFactor: 0.5, timeout: 4000, connectionTimeout: 2000, stallTimeout: 2000 };
  const config = {
    streaming: { retryParameters: retry, bufferingGoal: 10, rebufferingGoal: 2 },
    manifest: { retryParameters: retry },
    abr: { enabled: true },
  };

  const stats = { state: 'loading', currentTime: 0, longestStallMs: 0, fatal: null, hosts: {}, lastHost: null, log: [], errors: [] };
  window.playerStats = stats;
  const showError = (message) => { const e = document.getElementById('error'); e.textContent = message; e.hidden = false; };

  // A stall: time during which currentTime does not move although the video plays (Shaka holds playbackRate at 0
  // while it buffers, so the element is not paused), from the first 'playing' on; 'waiting' starts one at once.
  let started = false;
  let stallStart = null;
  let lastTime = -1;
  const endStall = () => {
    if (stallStart !== null) stats.longestStallMs = Math.max(stats.longestStallMs, performance.now() - stallStart);
    stallStart = null;
  };
  video.addEventListener('waiting', () => { if (started && stallStart === null) stallStart = performance.now(); });
  video.addEventListener('playing', () => { started = true; stats.state = 'playing'; endStall(); });
  video.addEventListener('ended', () => { stats.state = 'ended'; endStall(); });
  video.addEventListener('timeupdate', () => { stats.currentTime = video.currentTime; });
  setInterval(() => {
    stats.currentTime = video.currentTime;
    const moving = video.currentTime !== lastTime;
    lastTime = video.currentTime;
    if (!started || video.paused || video.ended || moving) {
      endStall();
    } else {
      stallStart ??= performance.now() - 100;
      stats.longestStallMs = Math.max(stats.longestStallMs, performance.now() - stallStart);
    }
  }, 100);

  if (!window.shaka) {
    showError('Shaka Player is missing (run npm ci in src/Origin).');
    return;
  }

  shaka.polyfill.installAll();
  if (!shaka.Player.isBrowserSupported()) {
    showError('This browser cannot play with Shaka Player.');
    return;
  }

  const fail = (error) => {
    stats.fatal = String((error && error.code) || error);
    showError(`Playback failed: Shaka error ${stats.fatal}`);
  };
  const player = new shaka.Player();
  window.shakaPlayer = player;
  player.addEventListener('error', (event) => {
    const error = event.detail;
    stats.errors.push({ code: error.code, severity: error.severity, data: String(error.data && error.data[0]) });
    if (error.severity === shaka.util.Error.Severity.CRITICAL) fail(error);
  });
  player.getNetworkingEngine().registerResponseFilter((type, response) => {
    if (type !== shaka.net.NetworkingEngine.RequestType.SEGMENT) return;
    try {
      const host = new URL(response.uri, location.href).host;
      stats.hosts[host] = (stats.hosts[host] || 0) + 1;
      stats.lastHost = host;
      // Which range came from where and when (a response from Chromium's HTTP cache counts under the host it came from).
      if (stats.log.length < 200) stats.log.push(`${host} ${(response.headers['content-range'] || '').replace('bytes ', '')} at ${video.currentTime.toFixed(1)} s`);
    } catch { /* not a URL */ }
  });
  player.configure(config);
  player.attach(video)
    .then(() => player.load(source))
    .then(() => video.play().catch(() => {}))
    .catch(fail);
})();
