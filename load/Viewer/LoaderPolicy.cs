namespace Vod.Load.Viewer;

/// <summary>
/// How long one request may take and how often it is retried on the same pathway before the viewer moves to the
/// next one: hls.js's <c>LoadPolicy</c> (maxTimeToFirstByteMs, maxLoadTimeMs, timeoutRetry, errorRetry).
/// </summary>
internal sealed record LoaderPolicy(TimeSpan FirstByte, TimeSpan Load, int TimeoutRetries, int ErrorRetries, TimeSpan ErrorRetryDelay)
{
    private static LoaderPolicy Quick(int firstByteMs, int loadMs) =>
        new(TimeSpan.FromMilliseconds(firstByteMs), TimeSpan.FromMilliseconds(loadMs), 1, 1, TimeSpan.FromMilliseconds(250));

    // The watch page's settings (src/Origin/wwwroot/player.js): quickPolicy(ttfb, load) with one timeout retry
    // (no delay) and one error retry after 250 ms.
    public static readonly LoaderPolicy Manifest = Quick(3000, 6000);
    public static readonly LoaderPolicy Playlist = Quick(2000, 4000);
    public static readonly LoaderPolicy Fragment = Quick(2000, 10000);
    public static readonly LoaderPolicy Steering = Quick(2000, 4000);
}
