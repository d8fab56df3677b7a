// /players/shaka/{id}: /play/{id}/master.m3u8 from this origin in Shaka Player (npm shaka-player, served from
// /vendor/), with the settings README's "Players" recommends, and playback stats on window.playerStats for tests;
// /players/shaka/{id}?format=dash plays /play/{id}/manifest.mpd instead (the same settings and stats).
// Shaka fails over between edges only when every edge has a host name of its own: see README, "Players".
(() => {
  'use strict';
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const dash = new URLSearchParams(location.search).get('format') === 'dash';
  // Over DASH, the MPD that lists each segment's byte range (SegmentList) rather than SegmentBase: Shaka 5.2.12 takes a
  // SegmentBase index's URIs before downloading it and the representation's URIs after (lib/dash/segment_base.js
  // createSegmentIndex, `indexIsExternal`); when the index request itself fails over to another edge, the two differ,
  // Shaka reads the index as an external file and shifts every byte range by the index's end
  // (lib/dash/mp4_segment_index_parser.js, anchorOffset), and playback stops with error 3014. A SegmentList has no index.
  const source = `/play/${encodeURIComponent(id)}/${dash ? 'manifest.mpd?segments=list' : 'master.m3u8'}`;
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

  const playback = trackPlayback(video);
  const { stats } = playback;

  if (!window.shaka) {
    playback.fail('missing', 'Shaka Player is missing (run npm ci in src/Origin).');
    return;
  }

  shaka.polyfill.installAll();
  if (!shaka.Player.isBrowserSupported()) {
    playback.fail('unsupported', 'This browser cannot play with Shaka Player.');
    return;
  }

  const fail = (error) => {
    const code = String((error && error.code) || error);
    playback.fail(code, `Playback failed: Shaka error ${code}`);
  };
  const player = new shaka.Player();
  window.shakaPlayer = player;
  player.addEventListener('error', (event) => {
    const error = event.detail;
    stats.errors.push({ code: error.code, severity: error.severity, data: String(error.data && error.data[0]) });
    if (error.severity === shaka.util.Error.Severity.CRITICAL) fail(error);
  });
  // Which range came from where and when (a response from Chromium's HTTP cache counts under the host it came from).
  player.getNetworkingEngine().registerResponseFilter((type, response) => {
    if (type === shaka.net.NetworkingEngine.RequestType.SEGMENT) playback.segment(response.uri, (response.headers['content-range'] || '').replace('bytes ', ''));
  });
  player.configure(config);

  player.attach(video)
    .then(() => player.load(source))
    .then(() => video.play().catch(() => {}))
    .catch(fail);
})();
