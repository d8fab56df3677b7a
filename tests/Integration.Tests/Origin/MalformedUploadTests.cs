using System.Text;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Origin;

/// <summary>
/// Uploads that are not well-formed multipart, at the real origin: each is a 4xx that says what was wrong, in words
/// that name no server path and no exception type, the origin logs no unhandled exception, and nothing is left on disk.
/// </summary>
[Collection(UntimedStackDefinition.Name)]
public sealed class MalformedUploadTests(StackFixture stack)
{
    private const string Boundary = "b0undary";
    private const string FilePart = "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\n\r\n";

    public static TheoryData<string, string, string, int, string> Requests() => new()
    {
        { "boundary of 5000 characters", "multipart/form-data; boundary=" + new string('b', 5000), "--x--\r\n", 400, "boundary is longer than 70 characters" },
        { "boundary of 71 characters", "multipart/form-data; boundary=" + new string('b', 71), FilePart + "x\r\n--" + Boundary + "--\r\n", 400, "boundary is longer than 70 characters" },
        { "no boundary", "multipart/form-data", FilePart + "x\r\n--" + Boundary + "--\r\n", 400, "no boundary parameter" },
        { "empty boundary", "multipart/form-data; boundary=\"\"", FilePart + "x\r\n--" + Boundary + "--\r\n", 400, "no boundary parameter" },
        { "not multipart", "application/octet-stream", "0123456789", 415, "multipart/form-data" },
        { "urlencoded form", "application/x-www-form-urlencoded", "file=x", 415, "multipart/form-data" },
        { "file cut off before the closing boundary", "multipart/form-data; boundary=" + Boundary, FilePart + new string('x', 200_000), 400, "ended before its closing boundary" },
        { "boundary in the header but not in the body", "multipart/form-data; boundary=other", FilePart + "x\r\n--" + Boundary + "--\r\n", 400, "ended before its closing boundary" },
        { "part headers over 16 KiB", "multipart/form-data; boundary=" + Boundary, "--" + Boundary + "\r\nX-Big: " + new string('a', 17 * 1024) + "\r\n\r\nx\r\n--" + Boundary + "--\r\n", 400, "malformed headers" },
        { "part header without a colon", "multipart/form-data; boundary=" + Boundary, "--" + Boundary + "\r\n<script>not a header</script>\r\n\r\nx\r\n--" + Boundary + "--\r\n", 400, "malformed headers" },
        { "no file field", "multipart/form-data; boundary=" + Boundary, "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--" + Boundary + "--\r\n", 400, "field 'file' is missing" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Upload_MalformedMultipart_Is4xxWithReasonAndLeavesNothing(string what, string contentType, string body, int status, string reason)
    {
        var before = StoreSnapshot();
        var unhandledBefore = UnhandledExceptions();
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType), what);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{stack.Origin.BaseUrl}/api/titles") { Content = content };
        request.Headers.Authorization = new("Bearer", StackFixture.AdminKey);

        using var response = await stack.Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{what}: expected {status}, got {(int)response.StatusCode} {text}");
        Assert.Contains(reason, text, StringComparison.Ordinal);
        AssertRevealsNothing(text, what);
        Assert.Equal(before, StoreSnapshot());
        Assert.Equal(unhandledBefore, UnhandledExceptions());
    }

    private void AssertRevealsNothing(string body, string what)
    {
        Assert.False(body.Contains(stack.MediaRoot, StringComparison.Ordinal), $"{what}: the answer names the media root: {body}");
        Assert.DoesNotMatch(@"(/tmp/|/home/|/var/|/root/)", body);
        Assert.DoesNotMatch(@"\b[A-Z][A-Za-z]*Exception\b", body);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain(new string('b', 71), body, StringComparison.Ordinal); // the request is not quoted back
    }

    /// <summary>
    /// The titles and the files in uploads/: a refused upload must not change them. (Not deeper: another test's title
    /// may still be publishing its version meanwhile.)
    /// </summary>
    private string[] StoreSnapshot() =>
        [.. new[] { stack.Store.Titles, stack.Store.Uploads }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFileSystemEntries(d))
            .Order(StringComparer.Ordinal)];

    /// <summary>How often the origin logged an exception that escaped an endpoint (ASP.NET Core's exception handler).</summary>
    private int UnhandledExceptions() =>
        stack.Origin.Log.Split('\n').Count(l => l.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase));
}
