// /players/dashjs/{id}: /play/{id}/manifest.mpd from this origin in dash.js 5 (npm dashjs, the modern UMD
// MediaPlayer build served from /vendor/), with failover settings between the edges (the MPD's BaseURLs, one per edge
// with a serviceLocation), and playback stats on window.playerStats (the same shape as /players/shaka) for tests.
// Source references are to dash.js 5.2.1 (src/ in node_modules/dashjs/dist/modern/umd/dash.mediaplayer.debug.js.map).
(() => {
  'use strict';
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const source = `/play/${encodeURIComponent(id)}/manifest.mpd`;
  const video = document.getElementById('video');

  const playback = trackPlayback(video);
  const { stats } = playback;

  if (!window.dashjs) {
    playback.fail('missing', 'dash.js is missing (run npm ci in src/Origin).');
    return;
  }

  // How dash.js leaves a dead edge (5.2.1): a segment request is retried retryAttempts times on the SAME URL
  // (net/HTTPLoader.js _retriggerRequest), each try ending at the latest after fragmentRequestTimeout (the XHR timeout,
  // HTTPLoader.js _getRequestTimeout; XHRLoader.js sets xhr.timeout). Only when the tries are used up does
  // FragmentController.js onFragmentLoadingCompleted blacklist the request's serviceLocation (the edge), which makes
  // BaseURLController.js onBlackListChanged drop the selection, and StreamProcessor.js _handleFragmentLoadingError asks
  // for the same segment again, now from the next BaseURL that is not blacklisted (ContentSteeringSelector.js
  // _findexIndexOfServiceLocation in PATHWAY-PRIORITY order, else BasicSelector.js select in MPD order).
  // So: one quick retry (a connection refused is over in milliseconds), and a request time-out short enough that a hung
  // edge (SIGSTOP: the kernel accepts the connection, nothing answers) costs 2 x 3 s, inside the 10 s buffer.
  // The defaults (Settings.js: 3 retries 1 s apart, 20 s fragment / 10 s manifest time-out) would stall for a minute.
  const types = ['MPD', 'MediaSegment', 'InitializationSegment', 'IndexSegment', 'BitstreamSwitchingSegment', 'XLinkExpansion', 'other'];
  const perType = (value) => Object.fromEntries(types.map((type) => [type, value(type)]));
  const settings = {
    streaming: {
      // The buffer goal: dash.js keeps bufferTimeDefault (18 s), and 30 s / 60 s at the top quality
      // (Settings.js buffer.*); 10 s like the other players, so a short title is not fetched whole before an edge dies.
      buffer: { bufferTimeDefault: 10, bufferTimeAtTopQuality: 10, bufferTimeAtTopQualityLongForm: 10, bufferToKeep: 10 },
      fragmentRequestTimeout: 3000,
      manifestRequestTimeout: 4000,
      retryAttempts: perType(() => 1),
      retryIntervals: perType((type) => (type === 'MPD' ? 500 : 250)),
      // Follow <ContentSteering> (the default; Settings.js applyContentSteering): the steering server's
      // PATHWAY-PRIORITY orders the serviceLocations (ContentSteeringSelector.js selectBaseUrlIndex). While a steering
      // response is in force, a blacklisted edge stays out for its TTL, not for blacklistExpiryTime
      // (BlacklistController.js getBlacklistExpiry), and comes back when the TTL runs out.
      // Without a steering answer (none yet, the server failed: it is then not asked again, ContentSteeringController.js
      // _handleSteeringResponseError without a TTL) the order is the MPD's defaultServiceLocation (split on spaces,
      // DashManifestModel.js _createContentSteeringInstance), then the BaseURLs in MPD order.
      applyContentSteering: true,
      // Without steering (the server failed or gave no TTL): try a blacklisted edge again after 60 s, not never (-1).
      blacklistExpiryTime: 60,
    },
  };

  const fail = (message) => playback.fail(message, `Playback failed: dash.js error ${message}`);
  const events = dashjs.MediaPlayer.events;
  const player = dashjs.MediaPlayer().create();
  window.dashPlayer = player;
  player.updateSettings(settings);

  // Errors (core/errors/Errors.js codes): a segment that failed on one edge (27 content, 28 init, 26 sidx) is reported
  // although the player goes on with the next BaseURL, so those are logged only. Fatal: the MPD cannot be loaded or
  // used (10, 11, 25, 31, 32, 34), MSE cannot play it (20, 23, 35), or no BaseURL is left (19: every edge is
  // blacklisted; BaseURLSelector.js select then clears the blacklist and tries again, but every edge has failed).
  const fatalCodes = new Set([10, 11, 19, 20, 23, 25, 31, 32, 34, 35]);
  player.on(events.ERROR, (event) => {
    const error = (event && event.error) || {};
    if (stats.errors.length < 50) stats.errors.push({ code: error.code, message: String(error.message || ''), at: Number(video.currentTime.toFixed(1)) });
    if (fatalCodes.has(error.code)) fail(`${error.code} ${error.message || ''}`.trim());
  });
  player.on(events.PLAYBACK_ERROR, (event) => fail(`playback ${(event && event.error && event.error.message) || ''}`.trim()));

  // Segment responses by host (FRAGMENT_LOADING_COMPLETED, FragmentModel.js onLoadingCompleted: once per request after
  // its retries, with error set when it failed); a failed request is logged, not counted.
  player.on(events.FRAGMENT_LOADING_COMPLETED, (event) => {
    const request = event && event.request;
    if (!request || !request.url) return;
    if (event.error || !event.response) {
      playback.failed(request.url, `${request.serviceLocation} ${request.mediaType} ${request.range || ''}`);
    } else if (request.type === 'MediaSegment') {
      playback.segment(request.url, `${request.mediaType} ${request.range || ''}`);
    }
  });
  player.on(events.CONTENT_STEERING_REQUEST_COMPLETED, (event) => {
    const priority = event && event.currentSteeringResponseData && event.currentSteeringResponseData.pathwayPriority;
    playback.log(`steering ${JSON.stringify(priority || null)}`);
  });

  // dash.js can end playback itself: a 200 ms timer fires PLAYBACK_ENDED once currentTime reaches the period's end
  // (StreamController.js _startPlaybackEndedTimerInterval), and PlaybackController.js _onPlaybackEnded then seeks and
  // pauses, so the element never fires 'ended' (seen in 1 run in 5 after a failover, paused half a second before the
  // end). For the viewer that is the end of the title, so it counts as the end here, at the time it happened.
  player.on(events.PLAYBACK_ENDED, (event) => {
    playback.log('dash.js playbackEnded');
    if (event && event.isLast) playback.ended();
  });
  video.addEventListener('pause', () => { if (!video.ended) playback.log('paused'); });

  player.initialize(video, source, /* autoPlay= */ true);
})();
