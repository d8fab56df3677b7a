using System.Net;
using System.Net.Sockets;
using System.Text;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Origin;

/// <summary>Bad uploads get a clear answer and leave nothing behind.</summary>
[Collection(StackDefinition.Name)]
public sealed class UploadRejectionTests(StackFixture stack)
{
    [Theory]
    [InlineData(null, "an admin key is required")]
    [InlineData("wrong-key-0123456789", "not valid")]
    public async Task Upload_WithoutValidKey_Is401AndStoresNothing(string? key, string reason)
    {
        var clip = await Media.ClipAsync(Path.Combine(stack.Work, $"unauthorized-{key?.Length ?? 0}.mp4"), 160, 90, 1);
        var titlesBefore = Directory.GetDirectories(stack.Store.Titles).Length;

        using var response = await stack.UploadAsync(clip, adminKey: key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(titlesBefore, Directory.GetDirectories(stack.Store.Titles).Length);
        Assert.Empty(Directory.GetFiles(stack.Store.Uploads, ".tmp-*"));
    }

    [Fact]
    public async Task Upload_TextFile_FailsWithReadableReason()
    {
        var text = Path.Combine(stack.Work, "notes.txt");
        await File.WriteAllTextAsync(text, string.Concat(Enumerable.Repeat("this is not a video\n", 200)));

        var title = await stack.UploadAndWaitAsync(text);

        Assert.Equal(TitleStatus.Failed, title.Status);
        Assert.Contains("not a video", title.Error, StringComparison.Ordinal);
        Assert.Empty(title.Renditions);
        Assert.Empty(Directory.EnumerateFileSystemEntries(stack.Store.Staging));
    }

    [Fact]
    public async Task Upload_PlaylistReferencingLocalAndRemoteFiles_FailsAndReadsNothing()
    {
        // A valid segment the playlist points at: a transcoder that followed the playlist would publish it as a title.
        var segment = Path.Combine(stack.Work, "segment.ts");
        var made = await Media.RunAsync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", segment]);
        Assert.Equal(0, made.ExitCode);

        // A listener that counts connections: any would mean ffmpeg or ffprobe followed a URL from the upload.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connections = 0;
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref connections);
            }
        });

        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var playlist = Path.Combine(stack.Work, "evil.m3u8");
        await File.WriteAllTextAsync(playlist, new StringBuilder()
            .Append("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n")
            .Append("#EXTINF:2,\nfile:///etc/passwd\n")
            .Append($"#EXTINF:2,\nfile://{segment}\n")
            .Append($"#EXTINF:2,\nhttp://127.0.0.1:{port}/steal.ts\n")
            .Append("#EXT-X-ENDLIST\n").ToString());

        var title = await stack.UploadAndWaitAsync(playlist);

        Assert.Equal(TitleStatus.Failed, title.Status);
        Assert.Contains("playlist", title.Error, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref connections));
        listener.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upload_OverSizeLimit_Is413AndLeavesNoTempFile(bool declaredLength)
    {
        // With a Content-Length the origin refuses before reading; chunked, it stops once the limit is passed.
        var titlesBefore = Directory.GetDirectories(stack.Store.Titles).Length;
        var size = StackFixture.MaxUploadBytes + (2 << 20);
        using var form = new MultipartFormDataContent();
        HttpContent file = declaredLength
            ? new ByteArrayContent(new byte[size])
            : new StreamContent(new ZeroStream(size));
        form.Add(file, "file", "big.mp4");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{stack.Origin.BaseUrl}/api/titles") { Content = form };
        request.Headers.Authorization = new("Bearer", StackFixture.AdminKey);

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"limit of {StackFixture.MaxUploadBytes} bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(titlesBefore, Directory.GetDirectories(stack.Store.Titles).Length);
        Assert.Empty(Directory.GetFiles(stack.Store.Uploads, ".tmp-*"));
    }

    /// <summary>A non-seekable stream of zeros, so the upload goes out chunked with no declared length.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _left);
            Array.Clear(buffer, offset, n);
            _left -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Upload_NotMultipart_Is415WithMessage()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{stack.Origin.BaseUrl}/api/titles") { Content = new StringContent("hello") };
        request.Headers.Authorization = new("Bearer", StackFixture.AdminKey);

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("multipart/form-data", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
