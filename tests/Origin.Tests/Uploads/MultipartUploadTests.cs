using System.Text;
using Microsoft.AspNetCore.Http;
using Vod.Origin.Uploads;

namespace Vod.Origin.Tests.Uploads;

public sealed class MultipartUploadTests : IDisposable
{
    private const string Boundary = "b0undary";
    private const string FilePart = "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\n\r\n";
    private readonly string _uploads = Directory.CreateTempSubdirectory("vod-multipart-").FullName;

    public void Dispose() => Directory.Delete(_uploads, recursive: true);

    public static TheoryData<string, string, string> MalformedBodies() => new()
    {
        { "boundary of 71 characters", new string('b', 71), "--x--\r\n" },
        { "boundary of 5000 characters (longer than the reader's buffer)", new string('b', 5000), "--x--\r\n" },
        { "empty boundary", "", "--\r\n" },
        { "file part cut off before the closing boundary", Boundary, FilePart + "some of the file" },
        { "body without the boundary at all", Boundary, "just some text, not multipart" },
        { "closing boundary missing after a complete part", Boundary, FilePart + "whole file\r\n" },
        { "part header without a colon", Boundary, "--" + Boundary + "\r\nnot a header\r\n\r\nx\r\n--" + Boundary + "--\r\n" },
        { "part headers over 16 KiB", Boundary, "--" + Boundary + "\r\nX-Big: " + new string('a', 17 * 1024) + "\r\n\r\nx\r\n--" + Boundary + "--\r\n" },
        { "17 part headers", Boundary, "--" + Boundary + "\r\n" + string.Concat(Enumerable.Range(0, 17).Select(i => $"X-H{i}: 1\r\n")) + "\r\nx\r\n--" + Boundary + "--\r\n" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task ReadAsync_MalformedBody_ThrowsMalformedUploadWithAFixedReasonAndLeavesNoTempFile(string what, string boundary, string body)
    {
        var e = await Assert.ThrowsAsync<MalformedUploadException>(() => ReadAsync(boundary, new MemoryStream(Encoding.ASCII.GetBytes(body))));

        Assert.True(e.Message is MultipartUpload.TruncatedBody or MultipartUpload.MalformedPartHeaders || e.Message.Contains("boundary", StringComparison.Ordinal), what);
        Assert.DoesNotContain("Exception", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('b', 71), e.Message, StringComparison.Ordinal); // the request is never quoted back
        Assert.Empty(Directory.EnumerateFileSystemEntries(_uploads));
    }

    [Theory]
    [InlineData(null, "no boundary")]
    [InlineData("", "no boundary")]
    [InlineData("a\u0001b", "control characters")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789x", "longer than 70 characters")]
    public void BoundaryProblem_UnusableBoundary_SaysWhatIsWrong(string? boundary, string expected)
    {
        Assert.Contains(expected, MultipartUpload.BoundaryProblem(boundary), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("b")]
    [InlineData("----WebKitFormBoundary7MA4YWxkTrZu0gW")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")] // exactly 70
    public void BoundaryProblem_UsableBoundary_IsNull(string boundary)
    {
        Assert.Null(MultipartUpload.BoundaryProblem(boundary));
    }

    [Fact]
    public async Task ReadAsync_BodyFailsMidFile_IsTruncatedAndTheTempFileIsRemoved()
    {
        // What Kestrel does when the client stops sending before its Content-Length: the body read throws.
        var body = new FailingStream(Encoding.ASCII.GetBytes(FilePart + new string('x', 100_000)), new BadHttpRequestException("Unexpected end of request content.", 400));

        var e = await Assert.ThrowsAsync<MalformedUploadException>(() => ReadAsync(Boundary, body));

        Assert.Equal(MultipartUpload.TruncatedBody, e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_uploads));
    }

    [Fact]
    public async Task ReadAsync_ServerBodyLimitPassed_Stays413()
    {
        var body = new FailingStream(Encoding.ASCII.GetBytes(FilePart + new string('x', 100_000)), new BadHttpRequestException("Request body too large.", 413));

        var e = await Assert.ThrowsAsync<BadHttpRequestException>(() => ReadAsync(Boundary, body));

        Assert.Equal(413, e.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_uploads));
    }

    [Fact]
    public async Task ReadAsync_WellFormed_ReadsFileAndName()
    {
        var body = "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nMy title\r\n" + FilePart + "0123456789\r\n--" + Boundary + "--\r\n";

        var upload = await ReadAsync(Boundary, new MemoryStream(Encoding.ASCII.GetBytes(body)));

        Assert.Equal(10, upload.Size);
        Assert.Equal("My title", upload.Name);
        Assert.Equal("clip.mp4", upload.FileName);
        Assert.Equal("0123456789", await File.ReadAllTextAsync(upload.TempFile!));
    }

    private Task<MultipartUpload> ReadAsync(string boundary, Stream body) =>
        MultipartUpload.ReadAsync(body, boundary, _uploads, maxBytes: 1 << 20, CancellationToken.None);

    /// <summary>Serves <paramref name="data"/>, then throws <paramref name="failure"/> instead of reaching the end.</summary>
    private sealed class FailingStream(byte[] data, Exception failure) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position < Length ? base.ReadAsync(buffer, cancellationToken) : ValueTask.FromException<int>(failure);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
