// Playback stats for the player pages (/players/shaka, /players/videojs, /players/dashjs), in the one shape tests read
// from window.playerStats: { state, currentTime, longestStallMs, fatal, hosts: { host: segments }, lastHost, log, errors }.
// A stall is time during which currentTime does not move although the video plays (not paused, not ended), from the
// first 'playing' on; 'waiting' starts one at once (Shaka holds playbackRate at 0 while it buffers, so the element is
// not paused then).
window.trackPlayback = (video) => {
  'use strict';
  const stats = { state: 'loading', currentTime: 0, longestStallMs: 0, fatal: null, hosts: {}, lastHost: null, log: [], errors: [] };
  window.playerStats = stats;

  let started = false;
  let stallStart = null;
  let lastTime = -1;
  const endStall = () => {
    if (stallStart !== null) stats.longestStallMs = Math.max(stats.longestStallMs, performance.now() - stallStart);
    stallStart = null;
  };
  video.addEventListener('waiting', () => { if (started && stallStart === null) stallStart = performance.now(); });
  video.addEventListener('playing', () => { started = true; if (stats.state !== 'ended') stats.state = 'playing'; endStall(); });
  const ended = () => { if (stats.state !== 'ended') { stats.state = 'ended'; stats.currentTime = video.currentTime; } endStall(); };
  video.addEventListener('ended', ended);
  video.addEventListener('timeupdate', () => { if (stats.state !== 'ended') stats.currentTime = video.currentTime; });
  setInterval(() => {
    if (stats.state === 'ended') return; // where playback ended (a player may seek back afterwards)
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

  const log = (line) => { if (stats.log.length < 200) stats.log.push(`${line} at ${video.currentTime.toFixed(1)} s`); };
  return {
    stats,
    log,
    /** A media segment that arrived from `url` (`range` for the log); segments are counted by host. */
    segment(url, range) {
      try {
        const host = new URL(url, location.href).host;
        stats.hosts[host] = (stats.hosts[host] || 0) + 1;
        stats.lastHost = host;
        log(`${host} ${range || ''}`.trim());
      } catch { /* not a URL */ }
    },
    /** A request to `url` that failed (logged, not counted). */
    failed(url, why) {
      try { log(`${new URL(url, location.href).host} failed (${why})`); } catch { /* not a URL */ }
    },
    /** The player ended playback itself, without the element's 'ended' (dash.js does, see dashjs.js). */
    ended,
    /** Playback stopped for good: the reason on window.playerStats.fatal and on the page. */
    fail(reason, message) {
      stats.fatal = String(reason);
      const e = document.getElementById('error');
      e.textContent = message || `Playback failed: ${stats.fatal}`;
      e.hidden = false;
    },
  };
};
