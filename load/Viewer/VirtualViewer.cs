using Vod.Load.Reporting;

namespace Vod.Load.Viewer;

/// <summary>
/// One playback session, the way the watch page's hls.js plays: the master from the origin (the first of the entry
/// URLs that answers: a network error, time-out or 5xx moves to the next entry), content steering (its
/// pathway order, re-read every TTL), a rung chosen by measured throughput, the media playlist and then the init
/// section and byte-range segments at playback pace against a <see cref="PlaybackBuffer"/>. When the variant names an
/// audio group (demuxed audio), the same pathway's audio playlist, init and segments are loaded alongside the video,
/// always the track that is behind first, and only what both tracks have buffered plays. A request that fails
/// after its retries moves the viewer to the next pathway in steering order (that pathway is penalised, as hls.js
/// does); only when every pathway has failed the same request does the session fail.
/// </summary>
internal sealed class VirtualViewer(HlsLoader loader, RunRecorder recorder, TimeProvider time, ViewerSettings settings)
{
    /// <summary>hls.js keeps a failed pathway out of the steering choice this long (PATHWAY_PENALTY_DURATION_MS).</summary>
    private static readonly TimeSpan PathwayPenalty = TimeSpan.FromMinutes(5);

    private HlsLoader Loader { get; } = loader;

    private RunRecorder Recorder { get; } = recorder;

    private TimeProvider Time { get; } = time;

    private ViewerSettings Settings { get; } = settings;

    public Task<(SessionOutcome Outcome, SessionResult Result, string? Failure)> PlayAsync(Uri masterUri, CancellationToken runEnd) =>
        PlayAsync([masterUri], runEnd);

    /// <param name="masterUris">The title's master on each origin entry, in the order they are tried.</param>
    public async Task<(SessionOutcome Outcome, SessionResult Result, string? Failure)> PlayAsync(IReadOnlyList<Uri> masterUris, CancellationToken runEnd)
    {
        ArgumentOutOfRangeException.ThrowIfZero(masterUris.Count);
        var session = new Session(this, masterUris);
        try
        {
            var failure = await session.RunAsync(runEnd);
            return (failure is null ? SessionOutcome.Finished : SessionOutcome.Failed, session.Result(), failure);
        }
        catch (OperationCanceledException) when (runEnd.IsCancellationRequested)
        {
            session.Buffer?.Advance(session.Now);
            return (SessionOutcome.Interrupted, session.Result(), null);
        }
        catch (FormatException e)
        {
            // A playlist or steering answer the viewer cannot read: hls.js would stop with a parsing error.
            return (SessionOutcome.Failed, session.Result(), $"unreadable answer from {session.MasterUri.Authority} or an edge: {e.Message}");
        }
    }

    private sealed class Session(VirtualViewer viewer, IReadOnlyList<Uri> masterUris)
    {
        private readonly long _start = viewer.Time.GetTimestamp();
        private readonly ThroughputEstimator _estimator = new(viewer.Settings.InitialEstimateBps);
        private readonly Dictionary<Uri, MediaPlaylist> _playlists = [];
        private readonly Dictionary<string, DateTimeOffset> _penalised = new(StringComparer.Ordinal);
        private MasterPlaylist _master = null!;
        private List<string> _order = [];
        private string _pathway = "";
        private Uri? _steeringUri;
        private TimeSpan _nextSteering = TimeSpan.MaxValue;
        private int _rung;
        private int _switches;
        private double _bitSeconds, _mediaSeconds;
        private (Uri Uri, ByteRange Range)? _loadedInit, _loadedAudioInit;
        private double _videoEnd, _audioEnd;
        private bool _withAudio;
        private int _rebuffersSeen;
        private string _lastTried = "";

        public PlaybackBuffer? Buffer { get; private set; }

        /// <summary>The master's URL on the entry that served it (the first entry until one has).</summary>
        public Uri MasterUri { get; private set; } = masterUris[0];

        public TimeSpan Now => viewer.Time.GetElapsedTime(_start);

        public SessionResult Result() => new(
            Buffer?.StartupTime, Buffer?.Rebuffers ?? 0, Buffer?.StalledTime ?? TimeSpan.Zero, Buffer?.WatchedTime ?? TimeSpan.Zero,
            _switches, _bitSeconds, _mediaSeconds);

        /// <returns>Null when the session played what it meant to; else why it failed.</returns>
        public async Task<string?> RunAsync(CancellationToken ct)
        {
            var master = await EntryFallbackAsync(masterUris[0], RequestKind.Master, LoaderPolicy.Manifest, ct);
            if (master is null)
            {
                return $"master {masterUris[0].AbsolutePath}: every origin entry failed ({_lastTried})";
            }

            var masterUri = MasterUri = master.Value.Uri;
            _master = PlaylistParser.ParseMaster(master.Value.Result.Text!, masterUri);
            foreach (var variant in _master.Variants)
            {
                Loopback.Require(variant.Uri, $"pathway {variant.PathwayId} of {masterUri}");
            }

            foreach (var audio in _master.Audio)
            {
                Loopback.Require(audio.Uri, $"audio group {audio.GroupId} of {masterUri}");
            }

            _order = _master.Pathways.ToList();
            _pathway = _master.DefaultPathway is { } d && _order.Contains(d) ? d : _order[0];
            if (_master.SteeringUri is { } steering)
            {
                _steeringUri = Loopback.Require(new Uri(masterUri, steering), "the steering server");
                await ReloadSteeringAsync(ct);
            }

            var rungs = _master.Rungs;
            _rung = Abr.Choose(rungs, -1, _estimator.EstimateBitsPerSecond, 0);
            var playlist = await PlaylistAsync(ct);
            if (playlist is null)
            {
                return $"every pathway failed the {rungs[_rung]} b/s playlist ({_lastTried})";
            }

            var audioPlaylist = default(MediaPlaylist);
            if (HasAudio)
            {
                audioPlaylist = await PlaylistAsync(ct, audio: true);
                if (audioPlaylist is null)
                {
                    return $"every pathway failed the audio playlist ({_lastTried})";
                }

                _withAudio = true;
            }

            var watch = Math.Min(Math.Min(playlist.DurationSeconds, audioPlaylist?.DurationSeconds ?? double.MaxValue),
                viewer.Settings.WatchSeconds ?? double.MaxValue);
            var startSeconds = playlist.Segments.Take(viewer.Settings.StartSegments).Sum(s => s.DurationSeconds);
            Buffer = new PlaybackBuffer(watch, startSeconds);
            int index = 0, audioIndex = 0;
            // Bounded: each pass downloads a segment, waits for the buffer to drain or ends the session.
            for (var pass = 0; pass < 100_000; pass++)
            {
                ct.ThrowIfCancellationRequested();
                Advance();
                if (Buffer.State == PlaybackState.Ended)
                {
                    return null;
                }

                if (Now >= _nextSteering)
                {
                    await ReloadSteeringAsync(ct);
                }

                // A track is done when it has everything this session watches (or its playlist has no more).
                var videoDone = index >= playlist.Segments.Count || _videoEnd >= watch - 1e-6;
                var audioDone = audioPlaylist is null || audioIndex >= audioPlaylist.Segments.Count || _audioEnd >= watch - 1e-6;
                if (Buffer.Complete || (videoDone && audioDone))
                {
                    // Everything is downloaded: play out what is buffered.
                    await DelayAsync(Buffer.TimeUntilEnd + TimeSpan.FromMilliseconds(1), ct);
                    continue;
                }

                // The track behind is loaded next, so the buffer (what both have) is that track's buffer.
                if (Buffer.BufferedSeconds >= viewer.Settings.MaxBufferSeconds)
                {
                    await DelayAsync(Buffer.TimeUntilBufferAt(viewer.Settings.MaxBufferSeconds) + TimeSpan.FromMilliseconds(1), ct);
                    continue;
                }

                if (!audioDone && (videoDone || _audioEnd < _videoEnd))
                {
                    audioPlaylist = await PlaylistAsync(ct, audio: true);
                    if (audioPlaylist is null)
                    {
                        return $"every pathway failed the audio playlist at segment {audioIndex} ({_lastTried})";
                    }

                    if (audioIndex >= audioPlaylist.Segments.Count)
                    {
                        continue;
                    }

                    var (audioSegment, audioInitFailed) = await SegmentAsync(audioPlaylist, audioIndex, audio: true, ct);
                    if (audioSegment is null)
                    {
                        return audioInitFailed
                            ? $"every pathway failed the init section of the audio rendition ({_lastTried})"
                            : $"every pathway failed audio segment {audioIndex} at {Now.TotalSeconds:0.0} s into the session ({_lastTried})";
                    }

                    _audioEnd += audioSegment.DurationSeconds;
                    audioIndex++;
                    AppendBuffered();
                    continue;
                }

                playlist = await PlaylistAsync(ct);
                if (playlist is null)
                {
                    return $"every pathway failed the {rungs[_rung]} b/s playlist at segment {index} ({_lastTried})";
                }

                if (index >= playlist.Segments.Count)
                {
                    continue;
                }

                var (segment, initFailed) = await SegmentAsync(playlist, index, audio: false, ct);
                if (segment is null)
                {
                    return initFailed
                        ? $"every pathway failed the init section of the {rungs[_rung]} b/s rendition ({_lastTried})"
                        : $"every pathway failed segment {index} of the {rungs[_rung]} b/s rendition at {Now.TotalSeconds:0.0} s into the session ({_lastTried})";
                }

                _videoEnd += segment.DurationSeconds;
                AppendBuffered();
                _bitSeconds += rungs[_rung] * segment.DurationSeconds;
                _mediaSeconds += segment.DurationSeconds;
                index++;

                var next = Abr.Choose(rungs, _rung, _estimator.EstimateBitsPerSecond, Buffer.BufferedSeconds);
                if (next != _rung)
                {
                    _rung = next;
                    _switches++;
                }
            }

            return "session exceeded its bound of passes";
        }

        /// <summary>Whether the current variant has its audio apart (an audio group with a URI on its pathway).</summary>
        private bool HasAudio => _master.AudioFor(_master.Find(_pathway, _master.Rungs[_rung])) is not null;

        /// <summary>
        /// Appends to the buffer what both tracks now have: the lower of the video and audio downloaded ends (the video's
        /// alone without an audio group), as a player's buffered range is the intersection of its source buffers.
        /// </summary>
        private void AppendBuffered()
        {
            var end = _withAudio ? Math.Min(_videoEnd, _audioEnd) : _videoEnd;
            var added = end - Buffer!.DownloadedSeconds;
            if (added > 0)
            {
                Buffer.Append(added, Now);
            }

            CountRebuffers();
        }

        /// <summary>
        /// Segment <paramref name="index"/> of a video or audio playlist, after its init section when that is not the
        /// one loaded last; null when every pathway failed it (<see cref="_lastTried"/> says how).
        /// </summary>
        private async Task<(MediaSegment? Segment, bool InitFailed)> SegmentAsync(MediaPlaylist playlist, int index, bool audio, CancellationToken ct)
        {
            var loadedInit = audio ? _loadedAudioInit : _loadedInit;
            if (playlist.Init is { } init && loadedInit != (init.Uri, init.Range))
            {
                if (await FetchAsync(RequestKind.Init, p => Relative(p, init.Uri, audio), init.Range, LoaderPolicy.Fragment, ct) is null)
                {
                    return (null, true);
                }

                if (audio)
                {
                    _loadedAudioInit = (init.Uri, init.Range);
                }
                else
                {
                    _loadedInit = (init.Uri, init.Range);
                }

                playlist = await PlaylistAsync(ct, audio) ?? playlist; // the pathway may have changed
            }

            var segment = playlist.Segments[index];
            var result = await FetchAsync(RequestKind.Media, p => Relative(p, segment.Uri, audio), segment.Range, LoaderPolicy.Fragment, ct);
            if (result is null)
            {
                return (null, false);
            }

            if (!audio)
            {
                _estimator.Sample(result.Bytes, result.Elapsed); // hls.js estimates bandwidth on main fragments only
            }

            return (segment, false);
        }

        private void Advance()
        {
            Buffer!.Advance(Now);
            CountRebuffers();
        }

        private void CountRebuffers()
        {
            for (; _rebuffersSeen < Buffer!.Rebuffers; _rebuffersSeen++)
            {
                viewer.Recorder.RebufferStarted();
            }
        }

        private Task DelayAsync(TimeSpan delay, CancellationToken ct)
        {
            // Wake for the next steering reload if it comes first.
            if (_nextSteering != TimeSpan.MaxValue)
            {
                var untilSteering = _nextSteering - Now;
                delay = untilSteering < delay ? untilSteering : delay;
            }

            return delay > TimeSpan.Zero ? Task.Delay(delay, viewer.Time, ct) : Task.CompletedTask;
        }

        /// <summary>
        /// The media playlist of the current rung on <paramref name="pathway"/>, or with <paramref name="audio"/> the audio
        /// playlist of the group that variant names; null when the pathway has none.
        /// </summary>
        private Uri? PlaylistUri(string pathway, bool audio)
        {
            var variant = _master.Find(pathway, _master.Rungs[_rung]);
            return audio ? _master.AudioFor(variant)?.Uri : variant?.Uri;
        }

        /// <summary>
        /// The same object on another pathway: the segment URI relative to that pathway's playlist of the current rung
        /// (or its audio playlist); null when that pathway has no such playlist.
        /// </summary>
        private Uri? Relative(string pathway, Uri resource, bool audio)
        {
            if (pathway == _pathway)
            {
                return resource;
            }

            var target = PlaylistUri(pathway, audio);
            var current = PlaylistUri(_pathway, audio);
            return target is null || current is null ? null : new Uri(target, current.MakeRelativeUri(resource));
        }

        private async Task<MediaPlaylist?> PlaylistAsync(CancellationToken ct, bool audio = false)
        {
            if (PlaylistUri(_pathway, audio) is { } current && _playlists.TryGetValue(current, out var cached))
            {
                return cached;
            }

            var loaded = await FetchAsync(RequestKind.Playlist, p => PlaylistUri(p, audio), ByteRange.Whole, LoaderPolicy.Playlist, ct, asText: true);
            if (loaded is null)
            {
                return null;
            }

            var uri = PlaylistUri(_pathway, audio)!;
            var playlist = PlaylistParser.ParseMedia(loaded.Text!, uri);
            foreach (var segment in playlist.Segments.Concat(playlist.Init is null ? [] : [playlist.Init]))
            {
                Loopback.Require(segment.Uri, "a segment of " + uri);
            }

            _playlists[uri] = playlist;
            return playlist;
        }

        /// <summary>
        /// Loads from the current pathway; after its retries fail, penalises it and tries the others (unpenalised first,
        /// in steering order). Returns null when every pathway failed.
        /// </summary>
        private async Task<LoadResult?> FetchAsync(RequestKind kind, Func<string, Uri?> uriFor, ByteRange range, LoaderPolicy policy,
            CancellationToken ct, bool asText = false)
        {
            var rung = _master.Rungs[_rung];
            var candidates = new List<string> { _pathway };
            var now = viewer.Time.GetUtcNow();
            candidates.AddRange(_order.Where(p => p != _pathway && !IsPenalised(p, now)));
            candidates.AddRange(_order.Where(p => p != _pathway && IsPenalised(p, now)));
            var tried = new List<string>();
            foreach (var pathway in candidates.Where(p => _master.Find(p, rung) is not null))
            {
                if (uriFor(pathway) is not { } uri)
                {
                    continue; // this pathway lacks the object (an audio group only some pathways have)
                }

                var result = await viewer.Loader.LoadAsync(uri, range, kind, pathway, policy, asText, ct);
                if (result.Ok)
                {
                    _pathway = pathway;
                    return result;
                }

                tried.Add($"{pathway}: {result.Error}");
                _penalised[pathway] = viewer.Time.GetUtcNow();
            }

            _lastTried = string.Join("; ", tried);
            return null;
        }

        /// <summary>
        /// An origin request (master or steering, counted under the pathway <c>origin</c>): <paramref name="uri"/> first,
        /// then, after the loader's retries ended in a network error, time-out or 5xx, the same path and query on every
        /// other entry in order. Null when every entry failed (<see cref="_lastTried"/> says how).
        /// </summary>
        private async Task<(LoadResult Result, Uri Uri)?> EntryFallbackAsync(Uri uri, RequestKind kind, LoaderPolicy policy, CancellationToken ct)
        {
            var candidates = new List<Uri> { uri };
            candidates.AddRange(masterUris.Where(m => m.Authority != uri.Authority).Select(m => new Uri(m, uri.PathAndQuery)));
            var tried = new List<string>();
            foreach (var candidate in candidates)
            {
                var result = await viewer.Loader.LoadAsync(candidate, ByteRange.Whole, kind, "origin", policy, asText: true, ct);
                if (result.Ok)
                {
                    return (result, candidate);
                }

                tried.Add($"{candidate.Authority}: {result.Error}");
                if (!result.Retriable)
                {
                    break; // a 404 is an answer: another entry would give the same
                }
            }

            _lastTried = string.Join("; ", tried);
            return null;
        }

        private bool IsPenalised(string pathway, DateTimeOffset now) =>
            _penalised.TryGetValue(pathway, out var at) && now - at < PathwayPenalty;

        private async Task ReloadSteeringAsync(CancellationToken ct)
        {
            var throughput = (long)_estimator.EstimateBitsPerSecond;
            var uri = new Uri(_steeringUri!, $"?_HLS_pathway={Uri.EscapeDataString(_pathway)}&_HLS_throughput={throughput}");
            var loaded = await EntryFallbackAsync(uri, RequestKind.Steering, LoaderPolicy.Steering, ct);
            var ttl = TimeSpan.FromSeconds(5);
            if (loaded is { } steering)
            {
                // Reloads go first to the entry that answered, and RELOAD-URI is relative to it.
                _steeringUri = new Uri(steering.Uri, _steeringUri!.PathAndQuery);
                var result = steering.Result;
                try
                {
                    var manifest = SteeringManifest.Parse(result.Text!);
                    ttl = TimeSpan.FromSeconds(manifest.TtlSeconds);
                    if (manifest.ReloadUri is { } reload)
                    {
                        _steeringUri = Loopback.Require(new Uri(_steeringUri!, reload), "the steering server");
                    }

                    var master = _master.WithClones(manifest.Clones);
                    foreach (var variant in master.Variants)
                    {
                        Loopback.Require(variant.Uri, $"cloned pathway {variant.PathwayId}");
                    }

                    foreach (var audio in master.Audio)
                    {
                        Loopback.Require(audio.Uri, $"cloned audio group {audio.GroupId}");
                    }

                    _master = master;
                    _order = SteeringOrder(manifest.PathwayPriority, _master.Pathways);
                    var now = viewer.Time.GetUtcNow();
                    if (_order.FirstOrDefault(p => !IsPenalised(p, now)) is { } best)
                    {
                        _pathway = best;
                    }
                }
                catch (FormatException)
                {
                    // A bad answer keeps the current order until the next reload, as a failed request does.
                }
                catch (System.Text.Json.JsonException)
                {
                }
            }

            _nextSteering = Now + ttl;
        }
    }

    /// <summary>The steering priority restricted to pathways the master lists, then the master's others in its order.</summary>
    internal static List<string> SteeringOrder(IReadOnlyList<string> priority, IReadOnlyList<string> masterPathways) =>
        priority.Where(masterPathways.Contains).Concat(masterPathways.Where(p => !priority.Contains(p))).Distinct(StringComparer.Ordinal).ToList();
}
