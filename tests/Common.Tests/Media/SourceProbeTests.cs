using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vod.Media;
using Vod.Media.Probing;

namespace Vod.Common.Tests.Media;

/// <summary>
/// The shared probe, as both the origin (at upload) and the transcoder (before encoding) run it, with real ffprobe.
/// A listener on a loopback port counts connections, to prove URLs in an input are never followed.
/// </summary>
public sealed class SourceProbeTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private int _connections;

    public SourceProbeTests()
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _connections);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // stopped
            }
        });
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    [Fact]
    public async Task ProbeAsync_PlaylistWithFileAndHttpUrls_IsRejectedAndReadsNothing()
    {
        var playlist = Path.Combine(_dir.Path, "evil.m3u8");
        await File.WriteAllTextAsync(playlist,
            $"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXTINF:2,\nhttp://127.0.0.1:{Port}/x.ts\n#EXT-X-ENDLIST\n");

        var e = await Assert.ThrowsAsync<SourceRejectedException>(() => SourceProbe.ProbeAsync(playlist, new ProbeOptions(), CancellationToken.None));

        Assert.Contains("playlist", e.Message, StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Equal(0, Volatile.Read(ref _connections));
    }

    /// <summary>
    /// Past the playlist sniff (a file that does not start like one), the whitelists alone must hold: the same ffprobe
    /// arguments refuse a URL input, while ffprobe without them does connect (so the listener would have seen it).
    /// </summary>
    [Fact]
    public async Task SafeInputOptions_UrlInput_IsNeverOpened_WhileWithoutThemItIs()
    {
        var url = $"http://127.0.0.1:{Port}/x.m3u8";

        var guarded = await RunAsync("ffprobe", [.. FfmpegArguments.SafeInputOptions, "-v", "error", "-i", url]);
        await Task.Delay(300);
        var afterGuarded = Volatile.Read(ref _connections);
        var unguarded = await RunAsync("ffprobe", ["-v", "error", "-rw_timeout", "1000000", "-i", url]);

        Assert.NotEqual(0, guarded);
        Assert.Equal(0, afterGuarded);
        for (var i = 0; i < 30 && Volatile.Read(ref _connections) == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.NotEqual(0, unguarded);
        Assert.True(Volatile.Read(ref _connections) > 0, "ffprobe without the whitelists should have connected: the listener proves nothing otherwise");
    }

    private static async Task<int> RunAsync(string tool, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return -1;
        }

        return process.ExitCode;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Dispose();
        _dir.Dispose();
    }
}
