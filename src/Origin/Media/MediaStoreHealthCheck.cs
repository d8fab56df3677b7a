using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vod.Common.Catalog;
using Vod.ServiceDefaults;
using Vod.Storage;

namespace Vod.Origin.Media;

/// <summary>
/// Ready only when the media root (with the S3 store, the scratch space) is there and writable and, with the S3 store,
/// the bucket answers (uploads and catalog writes need both). Writability is proved by
/// rewriting one fixed file, <c>uploads/.ready</c>, in place (no new directory entry), and a success is trusted for
/// <see cref="WriteProbeInterval"/>: a readiness probe must not make the origin write on every call, nor give anyone a
/// way to make it write at will. A failure is probed again at the next check (at most once a second: the report is
/// cached). The description names no path: <c>/readyz</c> says what is wrong, the configuration says where.
/// </summary>
internal sealed class MediaStoreHealthCheck(IMediaStore store, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan WriteProbeInterval = TimeSpan.FromSeconds(30);
    public const string ProbeFile = ".ready";
    private static readonly byte[] ProbeBytes = [1];
    private WriteProbe? _lastSuccess;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(store.Scratch.Uploads) || (store is LocalMediaStore local && !Directory.Exists(local.Titles)))
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
            await using (var file = new FileStream(Path.Combine(store.Scratch.Uploads, ProbeFile), FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1))
            {
                await file.WriteAsync(ProbeBytes, cancellationToken);
            }

            if (store is S3MediaStore s3)
            {
                await s3.CheckAsync(cancellationToken); // the bucket answers to this origin's credentials
            }

            var result = HealthCheckResult.Healthy("writable");
            Volatile.Write(ref _lastSuccess, new WriteProbe(now, result));
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Amazon.Runtime.AmazonServiceException or HttpRequestException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Volatile.Write(ref _lastSuccess, null);
            return HealthCheckResult.Unhealthy(e switch
            {
                _ when MediaScratch.IsDiskFull(e) => "the media store is full",
                UnauthorizedAccessException => "the media store is not writable: access denied",
                Amazon.Runtime.AmazonServiceException s => $"the media store's bucket does not answer: {s.ErrorCode ?? s.StatusCode.ToString()}",
                HttpRequestException or OperationCanceledException => "the media store's S3 endpoint cannot be reached",
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
