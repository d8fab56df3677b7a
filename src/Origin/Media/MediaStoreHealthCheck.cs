using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vod.Common.Catalog;
using Vod.ServiceDefaults;

namespace Vod.Origin.Media;

/// <summary>
/// Ready only when the media root is there and writable (uploads and catalog writes need it). Writability is proved by
/// rewriting one fixed file, <c>uploads/.ready</c>, in place (no new directory entry), and a success is trusted for
/// <see cref="WriteProbeInterval"/>: a readiness probe must not make the origin write on every call, nor give anyone a
/// way to make it write at will. A failure is probed again at the next check (at most once a second: the report is
/// cached). The description names no path: <c>/readyz</c> says what is wrong, the configuration says where.
/// </summary>
internal sealed class MediaStoreHealthCheck(MediaStore store, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan WriteProbeInterval = TimeSpan.FromSeconds(30);
    public const string ProbeFile = ".ready";
    private static readonly byte[] ProbeBytes = [1];
    private WriteProbe? _lastSuccess;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(store.Uploads) || !Directory.Exists(store.Titles))
        {
            return HealthCheckResult.Unhealthy("the media store's directories are missing");
        }

        var now = time.GetUtcNow();
        if (Volatile.Read(ref _lastSuccess) is { } last && now - last.At < WriteProbeInterval)
        {
            return last.Result;
        }

        try
        {
            // FileMode.Create truncates an existing file: its blocks are allocated again, so a full disk still fails.
            await using (var file = new FileStream(Path.Combine(store.Uploads, ProbeFile), FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1))
            {
                await file.WriteAsync(ProbeBytes, cancellationToken);
            }

            var result = HealthCheckResult.Healthy("writable");
            Volatile.Write(ref _lastSuccess, new WriteProbe(now, result));
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Volatile.Write(ref _lastSuccess, null);
            return HealthCheckResult.Unhealthy(e switch
            {
                _ when MediaStore.IsDiskFull(e) => "the media store is full",
                UnauthorizedAccessException => "the media store is not writable: access denied",
                _ => "the media store is not writable: I/O error",
            });
        }
    }

    private sealed record WriteProbe(DateTimeOffset At, HealthCheckResult Result);
}

internal static class MediaStoreHealthCheckExtensions
{
    /// <summary>The media check of <c>/readyz</c>, one instance for the process (it remembers its last write probe).</summary>
    public static IServiceCollection AddMediaStoreHealthCheck(this IServiceCollection services)
    {
        services.AddSingleton<MediaStoreHealthCheck>();
        services.AddHealthChecks().AddCheck<MediaStoreHealthCheck>("media", tags: [HostingDefaults.ReadyTag]);
        return services;
    }
}
