namespace Vod.Load.Viewer;

/// <param name="StartSegments">Segments buffered before playback starts (and the rebuffer resumes at one).</param>
/// <param name="MaxBufferSeconds">Forward buffer target: no fetch while this much is buffered (watch page: 10 s).</param>
/// <param name="WatchSeconds">How much of a title a session plays; null plays to the end.</param>
/// <param name="InitialEstimateBps">The bandwidth estimate before anything is measured (hls.js: 500 kb/s).</param>
internal sealed record ViewerSettings(
    int StartSegments = 2,
    double MaxBufferSeconds = 10,
    double? WatchSeconds = null,
    double InitialEstimateBps = 500_000);
