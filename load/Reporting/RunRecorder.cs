using System.Collections.Concurrent;
using HdrHistogram;

namespace Vod.Load.Reporting;

/// <summary>What a request fetched: the kinds the report gives latency percentiles for.</summary>
internal enum RequestKind
{
    Master,
    Steering,
    Playlist,
    Init,
    Media,
}

/// <summary>One viewer session's quality-of-experience figures, handed to the recorder when it ends.</summary>
internal sealed record SessionResult(
    TimeSpan? Startup,
    int Rebuffers,
    TimeSpan Stalled,
    TimeSpan Watched,
    int BitrateSwitches,
    double BitSeconds,
    double MediaSeconds);

internal enum SessionOutcome
{
    /// <summary>Played what it meant to (the end, or its watch duration).</summary>
    Finished,

    /// <summary>Gave up: every pathway failed (hls.js would raise a fatal error).</summary>
    Failed,

    /// <summary>Still playing when the run's time was up.</summary>
    Interrupted,
}

/// <summary>
/// Collects a run's figures from every viewer at once: counters, HdrHistograms (startup in ms, request latency in
/// µs, one per <see cref="RequestKind"/>) and per-second timeline buckets. Histograms take a lock each: a few hundred
/// records per second, far below where that would matter next to an HTTP request.
/// </summary>
internal sealed class RunRecorder
{
    public const long MaxMicroseconds = 3_600_000_000; // an hour: far past any timeout
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly LongHistogram _startup = new(3_600_000, 3);
    private readonly LongHistogram[] _latency = Enum.GetValues<RequestKind>().Select(_ => new LongHistogram(MaxMicroseconds, 3)).ToArray();
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _pathways = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<TimelineEvent> _events = new();
    private readonly Timeline _timeline;
    private readonly Lock _sessionsLock = new();
    private long _sessionsStarted, _finished, _failed, _interrupted, _bytes, _requests, _rebuffers, _switches, _rebuffersStarted;
    private double _stalledSeconds, _watchedSeconds, _bitSeconds, _mediaSeconds;

    public RunRecorder(TimeProvider time, TimeSpan runDuration)
    {
        _time = time;
        _startTimestamp = time.GetTimestamp();
        _timeline = new Timeline((int)Math.Ceiling(runDuration.TotalSeconds) + 120);
    }

    public TimeSpan Elapsed => _time.GetElapsedTime(_startTimestamp);

    public long Active => Interlocked.Read(ref _sessionsStarted) - Interlocked.Read(ref _finished) - Interlocked.Read(ref _failed) - Interlocked.Read(ref _interrupted);

    public void SessionStarted() => Interlocked.Increment(ref _sessionsStarted);

    public void SessionEnded(SessionOutcome outcome, SessionResult result, string? failure = null)
    {
        switch (outcome)
        {
            case SessionOutcome.Finished:
                Interlocked.Increment(ref _finished);
                break;
            case SessionOutcome.Failed:
                Interlocked.Increment(ref _failed);
                _timeline.Failed((int)Elapsed.TotalSeconds);
                break;
            default:
                Interlocked.Increment(ref _interrupted);
                break;
        }

        lock (_sessionsLock)
        {
            if (result.Startup is { } startup)
            {
                _startup.RecordValue(Math.Max(1, (long)Math.Round(startup.TotalMilliseconds)));
            }

            _rebuffers += result.Rebuffers;
            _switches += result.BitrateSwitches;
            _stalledSeconds += result.Stalled.TotalSeconds;
            _watchedSeconds += result.Watched.TotalSeconds;
            _bitSeconds += result.BitSeconds;
            _mediaSeconds += result.MediaSeconds;
        }

        if (failure is not null && _failures.Count < 20)
        {
            _failures.Enqueue(failure);
        }
    }

    /// <summary>One HTTP request; <paramref name="error"/> is null when it succeeded, else a status or "timeout" etc.</summary>
    public void Request(RequestKind kind, string pathway, TimeSpan latency, long bytes, string? error)
    {
        var histogram = _latency[(int)kind];
        lock (histogram)
        {
            histogram.RecordValue(Math.Clamp((long)(latency.TotalMilliseconds * 1000), 1, MaxMicroseconds));
        }

        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
        _pathways.AddOrUpdate(pathway, 1, (_, n) => n + 1);
        var second = (int)Elapsed.TotalSeconds;
        _timeline.Add(second, bytes, error is null ? 0 : 1);
        if (error is not null)
        {
            _errors.AddOrUpdate(error, 1, (_, n) => n + 1);
        }
    }

    /// <summary>A viewer's buffer ran dry now (for the timeline; the totals come with <see cref="SessionEnded"/>).</summary>
    public void RebufferStarted()
    {
        Interlocked.Increment(ref _rebuffersStarted);
        _timeline.Rebuffer((int)Elapsed.TotalSeconds);
    }

    /// <summary>Rebuffers so far, including those of sessions still playing (the progress line).</summary>
    public long RebuffersStarted => Interlocked.Read(ref _rebuffersStarted);

    /// <summary>Something that happened to the system under test (a process killed or continued, an upload), marked in the timeline.</summary>
    /// <param name="target">The process it happened to (<c>origin-1</c>), when there is one.</param>
    public void Mark(string kind, string text, string? target = null) =>
        _events.Enqueue(new TimelineEvent(Elapsed.TotalSeconds, kind, text) { Target = target });

    /// <summary>Called about once a second by the progress loop.</summary>
    public void SampleActive() => _timeline.Active((int)Elapsed.TotalSeconds, Active);

    public long Requests => Interlocked.Read(ref _requests);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Failed => Interlocked.Read(ref _failed);

    public long StartedSessions => Interlocked.Read(ref _sessionsStarted);

    public long ErrorCount => _errors.Values.Sum();

    public RunSnapshot Snapshot()
    {
        lock (_sessionsLock)
        {
            var latency = new Dictionary<RequestKind, LongHistogram>();
            foreach (var kind in Enum.GetValues<RequestKind>())
            {
                var histogram = _latency[(int)kind];
                lock (histogram)
                {
                    latency[kind] = (LongHistogram)histogram.Copy();
                }
            }

            return new RunSnapshot(
                Elapsed,
                new SessionCounts(_sessionsStarted, _finished, _failed, _interrupted),
                (LongHistogram)_startup.Copy(),
                latency,
                _rebuffers, TimeSpan.FromSeconds(_stalledSeconds), TimeSpan.FromSeconds(_watchedSeconds),
                _switches, _bitSeconds, _mediaSeconds,
                new SortedDictionary<string, long>(_errors, StringComparer.Ordinal),
                new SortedDictionary<string, long>(_pathways, StringComparer.Ordinal),
                _requests, _bytes,
                _timeline.Points((int)Elapsed.TotalSeconds + 1), // the current, partial second too
                _events.ToList(),
                _failures.Distinct(StringComparer.Ordinal).ToList());
        }
    }

    /// <summary>Per-second buckets; a second past the end is folded into the last bucket.</summary>
    private sealed class Timeline(int seconds)
    {
        private readonly long[] _requests = new long[seconds];
        private readonly long[] _bytes = new long[seconds];
        private readonly long[] _errors = new long[seconds];
        private readonly long[] _rebuffers = new long[seconds];
        private readonly long[] _active = new long[seconds];
        private readonly long[] _failed = new long[seconds];

        private int Index(int second) => Math.Clamp(second, 0, _requests.Length - 1);

        public void Add(int second, long bytes, int errors)
        {
            var i = Index(second);
            Interlocked.Increment(ref _requests[i]);
            Interlocked.Add(ref _bytes[i], bytes);
            Interlocked.Add(ref _errors[i], errors);
        }

        public void Rebuffer(int second) => Interlocked.Increment(ref _rebuffers[Index(second)]);

        public void Failed(int second) => Interlocked.Increment(ref _failed[Index(second)]);

        public void Active(int second, long active) => Interlocked.Exchange(ref _active[Index(second)], active);

        public List<TimelinePoint> Points(int seconds) =>
            Enumerable.Range(0, Math.Min(Math.Max(seconds, 1), _requests.Length))
                .Select(i => new TimelinePoint(i, Interlocked.Read(ref _requests[i]), Interlocked.Read(ref _bytes[i]),
                    Interlocked.Read(ref _errors[i]), Interlocked.Read(ref _rebuffers[i]), Interlocked.Read(ref _active[i]),
                    Interlocked.Read(ref _failed[i])))
                .ToList();
    }
}

internal sealed record SessionCounts(long Started, long Finished, long Failed, long Interrupted);

internal sealed record TimelinePoint(int Second, long Requests, long Bytes, long Errors, long Rebuffers, long ActiveSessions, long FailedSessions);

internal sealed record TimelineEvent(double AtSeconds, string Kind, string Text)
{
    /// <summary>The process a chaos event hit (<c>origin-1</c>); null for other events.</summary>
    public string? Target { get; init; }
}

/// <summary>A consistent copy of everything recorded so far: the input of <see cref="RunReport.From"/>.</summary>
internal sealed record RunSnapshot(
    TimeSpan Elapsed,
    SessionCounts Sessions,
    LongHistogram Startup,
    IReadOnlyDictionary<RequestKind, LongHistogram> Latency,
    long Rebuffers,
    TimeSpan Stalled,
    TimeSpan Watched,
    long BitrateSwitches,
    double BitSeconds,
    double MediaSeconds,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> RequestsByPathway,
    long Requests,
    long Bytes,
    IReadOnlyList<TimelinePoint> Timeline,
    IReadOnlyList<TimelineEvent> Events,
    IReadOnlyList<string> FailureReasons);
