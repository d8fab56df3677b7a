using System.Net;
using System.Net.Http.Json;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Faults;

/// <summary>Redis and the origin are killed; nothing is lost and everything recovers on its own.</summary>
[Collection(SerialDefinition.Name)]
public sealed class OriginAndRedisFaultTests : IAsyncLifetime
{
    private readonly StackFixture _stack = new();

    public Task InitializeAsync() => _stack.InitializeAsync();

    public Task DisposeAsync() => _stack.DisposeAsync();

    [Fact]
    public async Task RedisKilledAndBackEmpty_EveryProcessCarriesOnWithoutRestart_AndNoJobIsLost()
    {
        var ready = await _stack.SampleTitleAsync();

        // A job sits in the stream while the transcoder is paused; Redis then dies and comes back empty.
        _stack.Transcoder.Signal(Signals.Stop);
        var lostJob = await UploadAsync("lost-job.mp4");
        await _stack.Redis.KillAsync();

        // While Redis is down: uploads are still taken (on disk, queued), the catalog and playback keep working.
        var duringOutage = await UploadAsync("during-outage.mp4");
        var catalog = await _stack.ListTitlesAsync();
        Assert.Contains(catalog!, t => t.Id == duringOutage && t.Status == TitleStatus.Queued);
        await Task.Delay(TimeSpan.FromSeconds(4)); // past the heartbeat expiry: edges must stay in manifests on probes alone
        var manifest = await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}{ready.PlaybackUrl}");
        Assert.All(_stack.Edges, e => Assert.Contains(e.BaseUrl, manifest, StringComparison.Ordinal));
        var play = await Media.RunAsync("ffmpeg", ["-v", "error", "-i", $"{_stack.Origin.BaseUrl}{ready.PlaybackUrl}", "-f", "null", "-"]);
        Assert.True(play.ExitCode == 0, play.StandardError);
        Assert.All(await _stack.FleetAsync(), e => Assert.True(e.Routable, $"{e.Id}: {e.Reason}"));

        await _stack.Redis.RestartAsync();
        _stack.Transcoder.Signal(Signals.Cont);

        // The same transcoder process reconnects and finishes both: the lost job was enqueued again from the disk.
        Assert.Equal(TitleStatus.Ready, (await _stack.WaitForFinalAsync(lostJob, TimeSpan.FromSeconds(60))).Status);
        Assert.Equal(TitleStatus.Ready, (await _stack.WaitForFinalAsync(duringOutage, TimeSpan.FromSeconds(60))).Status);
        Assert.False(_stack.Transcoder.HasExited);
        Assert.All(await _stack.FleetAsync(), e => Assert.True(e.Routable));
    }

    private async Task<string> UploadAsync(string name)
    {
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, name), 320, 180, 2);
        using var upload = await _stack.UploadAsync(clip);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        return upload.Headers.Location!.OriginalString.Split('/').Last();
    }

    [Fact]
    public async Task OriginKilledMidUpload_ClientGetsAnError_NothingIsLeftAfterRestart_AndUploadWorksAgain()
    {
        var before = (await _stack.Store.ListTitlesAsync()).Select(t => t.Id).ToHashSet();
        using var body = new TricklingStream(firstBytes: 1 << 20);
        using var form = new MultipartFormDataContent { { new StreamContent(body), "file", "interrupted.mp4" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_stack.Origin.BaseUrl}/api/titles") { Content = form };
        request.Headers.Authorization = new("Bearer", StackFixture.AdminKey);
        var sending = _stack.Http.SendAsync(request);
        await Eventually.TrueAsync(() => Directory.EnumerateFiles(_stack.Store.Uploads, ".tmp-*").Any(f => new FileInfo(f).Length > 0), TimeSpan.FromSeconds(10));

        _stack.Origin.Signal(Signals.Kill);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => sending);
        await _stack.RestartOriginAsync();
        Assert.Empty(Directory.EnumerateFiles(_stack.Store.Uploads, ".tmp-*"));
        Assert.Equal(before, (await _stack.Store.ListTitlesAsync()).Select(t => t.Id).ToHashSet());

        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "again.mp4"), 320, 180, 2);
        var title = await _stack.UploadAndWaitAsync(clip);
        Assert.Equal(TitleStatus.Ready, title.Status);
    }

    /// <summary>Sends some bytes at once, then a trickle that never ends: an upload still running when the server dies.</summary>
    private sealed class TricklingStream(int firstBytes) : Stream
    {
        private int _left = firstBytes;
        private readonly CancellationTokenSource _disposed = new();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left > 0)
            {
                var n = Math.Min(buffer.Length, _left);
                buffer.Span[..n].Fill(7);
                _left -= n;
                return n;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
            await Task.Delay(50, linked.Token);
            var trickle = Math.Min(buffer.Length, 1024);
            buffer.Span[..trickle].Fill(7);
            return trickle;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed.IsCancellationRequested)
            {
                _disposed.Cancel();
            }

            base.Dispose(disposing);
        }
    }
}
