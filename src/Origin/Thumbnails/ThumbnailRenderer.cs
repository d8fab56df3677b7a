using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Security;
using Vod.Media;
using Vod.Origin.Origins;
using Vod.Storage;

namespace Vod.Origin.Thumbnails;

/// <summary>No ffmpeg slot came free in time (a 503 with Retry-After).</summary>
internal sealed class ThumbnailBusyException() : Exception("every thumbnail slot is busy: try again shortly");

/// <summary>ffmpeg made no still (failed, timed out, or the rendition could not be read): a 503, the reason logged.</summary>
internal sealed class ThumbnailFailedException(string reason) : Exception(reason);

/// <summary>
/// Stills of a ready title at any time, made by ffmpeg from the published top rendition and kept in a bounded memory
/// cache keyed by title, version, time and width. ffmpeg is expensive, so at most <see cref="ThumbnailOptions.MaxConcurrent"/>
/// run at once (a semaphore), and concurrent requests for one still share one run (each waiter with its own token; the
/// run is not tied to the first caller's request).
/// <para>
/// The input: with the local store, the rendition's file on disk (the file protocol only); with a remote store, the
/// same file through this origin's own <c>/titles/</c> on its bound loopback address (signed when playback is), with
/// only the http(s) protocols allowed, so ffmpeg reads byte ranges of the object like an edge does and never downloads
/// the whole file (see <see cref="InputOf"/>).
/// </para>
/// </summary>
internal sealed class ThumbnailRenderer : IDisposable
{
    private readonly IMediaStore _store;
    private readonly PlaybackTokens _tokens;
    private readonly IServer _server;
    private readonly ThumbnailOptions _options;
    private readonly ILogger<ThumbnailRenderer> _logger;
    private readonly MemoryCache _cache;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _inFlight = new(StringComparer.Ordinal);

    public ThumbnailRenderer(IMediaStore store, PlaybackTokens tokens, IServer server, IOptions<ThumbnailOptions> options, ILogger<ThumbnailRenderer> logger)
    {
        _store = store;
        _tokens = tokens;
        _server = server;
        _options = options.Value;
        _logger = logger;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, _options.CacheBytes) });
        _slots = new SemaphoreSlim(_options.MaxConcurrent, _options.MaxConcurrent);
    }

    /// <summary>The still, and whether it came from the cache (false: this request waited for ffmpeg).</summary>
    public async Task<(byte[] Jpeg, bool Cached)> GetAsync(Title title, ThumbnailRequest request, CancellationToken cancellationToken)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{title.Id}/{title.Version}/{request.Tenths}/{request.Width}");
        if (_cache.TryGetValue(key, out byte[]? cached) && cached is not null)
        {
            return (cached, true);
        }

        var run = _inFlight.GetOrAdd(key, k => new Lazy<Task<byte[]>>(() => RenderAndKeepAsync(k, title, request)));
        return (await run.Value.WaitAsync(cancellationToken), false);
    }

    private async Task<byte[]> RenderAndKeepAsync(string key, Title title, ThumbnailRequest request)
    {
        try
        {
            if (!await _slots.WaitAsync(_options.QueueTimeout))
            {
                throw new ThumbnailBusyException();
            }

            try
            {
                var jpeg = await RenderAsync(title, request);
                if (_options.CacheBytes > 0)
                {
                    _cache.Set(key, jpeg, new MemoryCacheEntryOptions { Size = jpeg.Length, SlidingExpiration = TimeSpan.FromHours(1) });
                }

                return jpeg;
            }
            finally
            {
                _slots.Release();
            }
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    private async Task<byte[]> RenderAsync(Title title, ThumbnailRequest request)
    {
        var input = InputOf(title);

        // The last frame starts a little before the duration: a seek past it gives no frame, so the end means the
        // last second's first keyframe-decoded frame instead.
        var duration = title.DurationSeconds ?? 0;
        var at = Math.Max(0, Math.Min(request.Seconds, duration - 0.5));
        var jpeg = await RunFfmpegAsync(input, at, request.Width);
        if (jpeg.Length == 0 && at > 0)
        {
            jpeg = await RunFfmpegAsync(input, Math.Max(0, duration - 2), request.Width);
        }

        return jpeg.Length > 0 ? jpeg : throw new ThumbnailFailedException("ffmpeg wrote no frame");
    }

    /// <summary>
    /// What ffmpeg reads. A single-file rendition (the default layout) is read as the MP4 it is, where an input seek
    /// jumps to the keyframe before the time through the file's index. The HLS playlist is the fallback for the
    /// file-per-segment layout, seeking on the output side (decoding from the start, slower for late times): ffmpeg 5.1's
    /// HLS demuxer loses the fMP4 init section after an input seek and decodes garbage.
    /// </summary>
    private (string Input, string Protocols, string Formats, bool InputSeek) InputOf(Title title)
    {
        var top = title.Renditions.MaxBy(r => r.Height) ?? throw new ThumbnailFailedException("the title has no rendition");
        var directory = top.Playlist.Contains('/', StringComparison.Ordinal) ? top.Playlist[..(top.Playlist.LastIndexOf('/') + 1)] : "";
        var singleFile = top.Dash is { IndexRange: not null, Media: var media } && MediaPath.IsSafeSegment(media);
        var relative = singleFile ? directory + top.Dash!.Media : top.Playlist;
        var formats = singleFile ? "mov" : "hls,mov";
        if (_store is LocalMediaStore local)
        {
            return (Path.Combine(local.Titles, title.Id, title.Version!, relative), FfmpegArguments.ProtocolWhitelist, formats, singleFile);
        }

        var self = OriginIdentity.PublicUrl(null, _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
        var signed = _tokens.Enabled ? $"{PlaybackTokens.PathPrefix}/{_tokens.Create(title.Id)}" : "";
        return ($"{self}{signed}{MediaPath.UrlPrefix}/{title.Id}/{title.Version}/{relative}", "http,https,tcp,tls", formats, singleFile);
    }

    private async Task<byte[]> RunFfmpegAsync((string Path, string Protocols, string Formats, bool InputSeek) input, double seconds, int width)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var at = seconds.ToString("0.###", CultureInfo.InvariantCulture);
        string[] arguments =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-protocol_whitelist", input.Protocols, "-format_whitelist", input.Formats,
            .. (string[])(input.InputSeek ? ["-ss", at, "-i", input.Path] : ["-i", input.Path, "-ss", at]),
            "-an", "-sn", "-dn", "-frames:v", "1", "-vf", $"scale={width}:-2", "-q:v", "4",
            "-f", "image2", "-c:v", "mjpeg", "pipe:1",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = new CancellationTokenSource(_options.RenderTimeout);
        using var process = Process.Start(start) ?? throw new ThumbnailFailedException("ffmpeg did not start");
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var output = new MemoryStream();
        try
        {
            await process.StandardOutput.BaseStream.CopyToAsync(output, timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new ThumbnailFailedException($"ffmpeg ran past {_options.RenderTimeout}");
        }

        var stderr = await errors;
        if (process.ExitCode != 0)
        {
            Log.ThumbnailFailed(_logger, input.Path, stderr.Trim());
            throw new ThumbnailFailedException($"ffmpeg exited with {process.ExitCode}");
        }

        return output.ToArray();
    }

    public void Dispose()
    {
        _cache.Dispose();
        _slots.Dispose();
    }
}
