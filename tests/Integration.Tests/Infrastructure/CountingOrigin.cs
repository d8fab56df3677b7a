using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>One request the origin received.</summary>
public sealed record OriginRequest(string Method, string Path, string? Range);

/// <summary>
/// A real Kestrel static-file origin (ranges, ETag, conditionals by the framework, like nginx) that records every
/// request, so a test can count what the edges fetched. It can be stopped mid-test to play a dead origin.
/// </summary>
public sealed class CountingOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<OriginRequest> _requests;
    private bool _stopped;

    private CountingOrigin(WebApplication app, ConcurrentQueue<OriginRequest> requests, string baseUrl)
    {
        _app = app;
        _requests = requests;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>When true, the origin accepts requests and never answers them: a hung origin (gray failure).</summary>
    public bool Hung { get; set; }

    public IReadOnlyList<OriginRequest> Requests => [.. _requests];

    public static async Task<CountingOrigin> StartAsync(string root, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var requests = new ConcurrentQueue<OriginRequest>();
        CountingOrigin? self = null;
        app.Use(async (context, next) =>
        {
            requests.Enqueue(new OriginRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.Headers.Range.FirstOrDefault()));
            if (self?.Hung == true)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            // An edge with signed playback signs its fetches (/t/{token}/titles/...): serve them as the file (tokens are not checked here).
            if (Vod.Common.Security.PlaybackTokens.TrySplitSignedPath(context.Request.Path, out _, out var signed))
            {
                context.Request.Path = $"/titles/{signed}";
            }

            await next(context);
        });
        app.MapGet("/healthz", () => "ok");
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            ServeUnknownFileTypes = true,
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = c.File.Name.EndsWith(".m3u8", StringComparison.Ordinal)
                ? "public, max-age=1"
                : "public, max-age=31536000, immutable",
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new CountingOrigin(app, requests, address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return self;
    }

    /// <summary>Range GETs of <paramref name="path"/>, as "from-to" strings.</summary>
    public IReadOnlyList<string> RangeGets(string path) =>
        Requests.Where(r => r.Method == "GET" && r.Path == path && r.Range is not null).Select(r => r.Range!["bytes=".Length..]).ToList();

    public void Clear() => _requests.Clear();

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
