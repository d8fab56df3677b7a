using System.Net;
using System.Net.Sockets;
using System.Text;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Origin;

/// <summary>Bad uploads get a clear answer and leave nothing behind.</summary>
[Collection(StackDefinition.Name)]
public sealed class UploadRejectionTests(StackFixture stack)
{
    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized, "an admin key is required")]
    [InlineData("Basic dXNlcjpwYXNz", HttpStatusCode.Unauthorized, "an admin key is required")]
    [InlineData("Bearer wrong-key-0123456789", HttpStatusCode.Forbidden, "not valid")]
    [InlineData("Bearer " + StackFixture.AdminKey + "x", HttpStatusCode.Forbidden, "not valid")]
    [InlineData("Bearer ", HttpStatusCode.Unauthorized, "an admin key is required")]
    public async Task Upload_WithoutValidKey_IsRefusedAndStoresNothing(string? authorization, HttpStatusCode status, string reason)
    {
        var clip = await Media.ClipAsync(Path.Combine(stack.Work, $"unauthorized-{authorization?.Length ?? 0}.mp4"), 160, 90, 1);
        var before = StoreSnapshot();
        using var form = new MultipartFormDataContent { { new StreamContent(File.OpenRead(clip)), "file", "clip.mp4" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{stack.Origin.BaseUrl}/api/titles") { Content = form };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, StoreSnapshot());
    }

    /// <summary>Every file and directory under titles/ and uploads/: a refused upload must not change it.</summary>
    private string[] StoreSnapshot() =>
        [.. new[] { stack.Store.Titles, stack.Store.Uploads }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFileSystemEntries(d, "*", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("text", "notes.txt", "not a video")]
    [InlineData("random", "random.mp4", "not a video")]
    [InlineData("png", "poster.png", "not a video")]
    [InlineData("audio", "tone.m4a", "no video stream")]
    [InlineData("ffconcat", "list.txt", "playlist")]
    [InlineData("long", "long.mp4", "over the limit of 60 s")]
    [InlineData("huge", "huge.mp4", "over the limit of 1280x720")]
    public async Task Upload_BadSource_Is422WithReasonAndStoresNothing(string kind, string fileName, string reason)
    {
        var file = Path.Combine(stack.Work, $"bad-{kind}-{fileName}");
        await MakeAsync(kind, file);
        var before = StoreSnapshot();

        using var response = await stack.UploadAsync(file, fileName: fileName);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(reason, body, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.MediaRoot, body, StringComparison.Ordinal); // no server paths in the reason
        Assert.Equal(before, StoreSnapshot());
    }

    private static async Task MakeAsync(string kind, string path)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string[]? ffmpeg = kind switch
        {
            "png" => ["-f", "lavfi", "-i", "testsrc2=size=320x180", "-frames:v", "1", path],
            "audio" => ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2", "-c:a", "aac", path],
            "long" => ["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=2", "-t", (StackFixture.MaxDuration.TotalSeconds + 5).ToString(inv), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path],
            "huge" => ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=5", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path],
            _ => null,
        };
        if (ffmpeg is not null)
        {
            var made = await Media.RunAsync("ffmpeg", ["-v", "error", "-y", .. ffmpeg]);
            Assert.True(made.ExitCode == 0, made.StandardError);
            return;
        }

        var random = new byte[256 * 1024];
        new Random(7).NextBytes(random);
        await (kind switch
        {
            "text" => File.WriteAllTextAsync(path, string.Concat(Enumerable.Repeat("this is not a video\n", 200))),
            "random" => File.WriteAllBytesAsync(path, random),
            "ffconcat" => File.WriteAllTextAsync(path, "ffconcat version 1.0\nfile /etc/passwd\n"),
            _ => throw new ArgumentException(kind),
        });
    }

    [Fact]
    public async Task Upload_EmptyFile_Is400AndStoresNothing()
    {
        var empty = Path.Combine(stack.Work, "empty.mp4");
        await File.WriteAllBytesAsync(empty, []);
        var before = StoreSnapshot();

        using var response = await stack.UploadAsync(empty);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("empty", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, StoreSnapshot());
    }

    [Fact]
    public async Task Upload_PlaylistReferencingLocalAndRemoteFiles_Is422AndReadsNothing()
    {
        // A valid segment the playlist points at: a probe that followed the playlist would accept it as a video.
        var segment = Path.Combine(stack.Work, "segment.ts");
        var made = await Media.RunAsync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", segment]);
        Assert.Equal(0, made.ExitCode);

        // A listener that counts connections: any would mean ffmpeg or ffprobe followed a URL from the upload.
        await using var listener = new ConnectionCounter();

        var port = listener.Port;
        var playlist = Path.Combine(stack.Work, "evil.m3u8");
        await File.WriteAllTextAsync(playlist, new StringBuilder()
            .Append("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n")
            .Append("#EXTINF:2,\nfile:///etc/passwd\n")
            .Append($"#EXTINF:2,\nfile://{segment}\n")
            .Append($"#EXTINF:2,\nhttp://127.0.0.1:{port}/x.ts\n")
            .Append("#EXT-X-ENDLIST\n").ToString());
        var before = StoreSnapshot();

        using var response = await stack.UploadAsync(playlist);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("playlist", body, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
        Assert.Equal(before, StoreSnapshot());
        await Task.Delay(500); // a connection attempt in flight would have landed by now
        Assert.Equal(0, listener.Connections);
    }

    [Fact]
    public async Task Upload_HostileName_IsStoredSanitized()
    {
        var clip = await Media.ClipAsync(Path.Combine(stack.Work, "hostile-name.mp4"), 160, 90, 1);

        using var response = await stack.UploadAsync(clip, name: "<b>x</b>\u0000\u202E\u0007 name", fileName: "..\\..\\x.mp4");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = response.Headers.Location!.OriginalString.Split('/').Last();
        var stored = await stack.Store.ReadTitleAsync(id);
        Assert.NotNull(stored);
        Assert.Equal("<b>x</b> name", stored.Name); // control and format characters gone; HTML is escaped where shown
        Assert.Matches("^[a-z2-7]{12}\\.mp4$", stored.Source); // the client's file name never reaches the disk
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
