namespace Vod.Load.Viewer;

internal enum PlaybackState
{
    Loading,
    Playing,
    Stalled,
    Ended,
}

/// <summary>
/// The player's forward buffer as a pure model of time: downloaded media is appended; while playing, the playhead
/// consumes it at 1×. Playback starts once <c>startSeconds</c> are buffered (or everything to watch is); when the
/// buffer runs dry before the end, that is a rebuffer, and playback resumes as soon as <c>resumeSeconds</c> are
/// buffered again. Times are offsets from the session's first request, passed in by the caller (a
/// <see cref="TimeProvider"/> in the viewer), so tests drive it without sleeping.
/// </summary>
internal sealed class PlaybackBuffer
{
    private readonly double _startSeconds;
    private readonly double _resumeSeconds;
    private TimeSpan _last;

    /// <param name="watchSeconds">How much content this session plays (the title's duration or less).</param>
    public PlaybackBuffer(double watchSeconds, double startSeconds, double resumeSeconds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(watchSeconds);
        WatchSeconds = watchSeconds;
        _startSeconds = startSeconds;
        _resumeSeconds = resumeSeconds;
    }

    public double WatchSeconds { get; }

    public PlaybackState State { get; private set; } = PlaybackState.Loading;

    /// <summary>Content seconds downloaded ahead of the playhead.</summary>
    public double BufferedSeconds { get; private set; }

    public double PlayheadSeconds { get; private set; }

    public double DownloadedSeconds => PlayheadSeconds + BufferedSeconds;

    /// <summary>Everything this session watches is downloaded.</summary>
    public bool Complete => DownloadedSeconds >= WatchSeconds - Epsilon;

    /// <summary>First request → playing; null until playback starts.</summary>
    public TimeSpan? StartupTime { get; private set; }

    public int Rebuffers { get; private set; }

    public TimeSpan StalledTime { get; private set; }

    /// <summary>Content time played (watched).</summary>
    public TimeSpan WatchedTime => TimeSpan.FromSeconds(PlayheadSeconds);

    private const double Epsilon = 1e-6;

    /// <summary>Moves the clock to <paramref name="now"/>: plays buffered media, counts a stall when it runs out.</summary>
    public void Advance(TimeSpan now)
    {
        var dt = (now - _last).TotalSeconds;
        if (dt <= 0)
        {
            return;
        }

        _last = now;
        if (State == PlaybackState.Playing)
        {
            var toEnd = WatchSeconds - PlayheadSeconds;
            var played = Math.Min(dt, Math.Min(BufferedSeconds, toEnd));
            PlayheadSeconds += played;
            BufferedSeconds -= played;
            if (PlayheadSeconds >= WatchSeconds - Epsilon)
            {
                State = PlaybackState.Ended;
                return;
            }

            if (dt - played > Epsilon)
            {
                State = PlaybackState.Stalled;
                Rebuffers++;
                StalledTime += TimeSpan.FromSeconds(dt - played);
            }
        }
        else if (State == PlaybackState.Stalled)
        {
            StalledTime += TimeSpan.FromSeconds(dt);
        }
    }

    /// <summary>Adds <paramref name="seconds"/> of downloaded media at <paramref name="now"/>.</summary>
    public void Append(double seconds, TimeSpan now)
    {
        Advance(now);
        BufferedSeconds += Math.Min(seconds, Math.Max(0, WatchSeconds - DownloadedSeconds));
        if (State == PlaybackState.Loading && (BufferedSeconds >= _startSeconds - Epsilon || Complete))
        {
            State = PlaybackState.Playing;
            StartupTime = now;
        }
        else if (State == PlaybackState.Stalled && (BufferedSeconds >= _resumeSeconds - Epsilon || Complete) && BufferedSeconds > 0)
        {
            State = PlaybackState.Playing;
        }
    }

    /// <summary>How long until the buffer falls to <paramref name="level"/> seconds (zero if below or not playing).</summary>
    public TimeSpan TimeUntilBufferAt(double level) =>
        State == PlaybackState.Playing && BufferedSeconds > level ? TimeSpan.FromSeconds(BufferedSeconds - level) : TimeSpan.Zero;

    /// <summary>How long until the playhead reaches the end of what this session watches, if nothing stalls.</summary>
    public TimeSpan TimeUntilEnd => State == PlaybackState.Playing ? TimeSpan.FromSeconds(Math.Max(0, WatchSeconds - PlayheadSeconds)) : TimeSpan.Zero;
}
