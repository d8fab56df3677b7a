using System.Net;
using System.Text;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Hostile paths, Range headers and oversized requests at the real origin and a real edge: every one gets its exact
/// status, nothing answers 5xx, and no byte from outside the media root (canary files beside it) is ever sent.
/// </summary>
[Collection(UntimedStackDefinition.Name)]
public sealed class BadInputTests(StackFixture stack)
{
    private static readonly byte[] CanaryBytes = Encoding.ASCII.GetBytes("CANARY-5f1e0c7a-must-never-be-served");
    private static readonly byte[] Passwd = Encoding.ASCII.GetBytes("root:x:0:0");

    /// <summary>The same canary, with media extensions, beside the media root, in it, and in uploads/.</summary>
    internal static async Task PlantCanariesAsync(StackFixture stack)
    {
        var parent = Path.GetDirectoryName(stack.MediaRoot)!;
        foreach (var dir in new[] { parent, stack.MediaRoot, stack.Store.Uploads })
        {
            Directory.CreateDirectory(dir);
            foreach (var name in new[] { "canary.mp4", "canary.m3u8" })
            {
                await File.WriteAllBytesAsync(Path.Combine(dir, name), CanaryBytes);
            }
        }
    }

    internal static void AssertNothingLeaked(RawHttp.Response response, string what)
    {
        Assert.False(response.Contains(CanaryBytes), $"a canary from outside the media root was served for {what}");
        Assert.False(response.Contains(Passwd), $"/etc/passwd was served for {what}");
    }

    private async Task<(string Id, string Version)> SampleAsync()
    {
        var title = await stack.SampleTitleAsync();
        await PlantCanariesAsync(stack);
        return (title.Id, (await stack.Store.ReadTitleAsync(title.Id))!.Version!);
    }

    private string BaseUrl(string server) => server == "origin" ? stack.Origin.BaseUrl : stack.Edges[0].BaseUrl;

    public static TheoryData<string, string, int> Paths()
    {
        var data = new TheoryData<string, string, int>();
        (string Target, int Status)[] rows =
        [
            ("/titles/{id}/{v}/240p/index.m3u8", 200), // control: the same shape, valid
            ("/titles/../canary.mp4", 404), // dot segments are removed by Kestrel: /canary.mp4 matches nothing
            ("/titles/{id}/../../canary.mp4", 404),
            ("/titles/{id}/{v}/../../../canary.mp4", 404),
            ("/titles/{id}/{v}/../../../../../../../../etc/passwd", 404),
            ("/titles/%2e%2e/canary.mp4", 404),
            ("/titles/{id}/%2e%2e%2f%2e%2e%2fcanary.mp4", 404),
            ("/titles/{id}/%2E%2E%2F%2E%2E%2F%2E%2E%2Fcanary.mp4", 404),
            ("/titles/{id}/%252e%252e%252f%252e%252e%252fcanary.mp4", 404),
            ("/titles/{id}/..%5c..%5ccanary.mp4", 404),
            ("/titles/{id}/..\\..\\canary.mp4", 404),
            ("/titles/{id}/{v}/240p/index.m3u8%00.mp4", 400), // Kestrel refuses an encoded NUL
            ("/titles/{id}/%c0%ae%c0%ae/canary.mp4", 404), // overlong UTF-8 for '.': left encoded, so not a safe segment
            ("/titles/{id}/%e2%80%ae4pm.m3u8", 404), // right-to-left override: not in [A-Za-z0-9._-]
            ("/titles/{id}/title.json", 404), // inside the media root but not an HLS file
            ("/titles/{id}/{v}/240p/.hidden.m3u8", 404),
            ("/titles/ABCDEFGHIJKL/{v}/240p/index.m3u8", 404),
            ("/titles/canary.mp4", 404),
            ("/titles//canary.mp4", 404),
            ("//canary.mp4", 404),
            ("/titles/{id}/" + new string('a', 65) + ".mp4", 404),
            ("/titles/{id}/a/b/c/d/e/f/g.mp4", 404),
            ("/titles/{id}/" + new string('a', 9000), 414),
            ("/t/not-a-token/titles/{id}/{v}/240p/index.m3u8", 404), // signing is off in this stack
        ];
        foreach (var server in new[] { "origin", "edge" })
        {
            foreach (var (target, status) in rows)
            {
                data.Add(server, target, status);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Get_HostilePath_HasExactStatusAndLeaksNothing(string server, string target, int status)
    {
        var (id, version) = await SampleAsync();
        var path = target.Replace("{id}", id, StringComparison.Ordinal).Replace("{v}", version, StringComparison.Ordinal);

        var response = await RawHttp.SendAsync(BaseUrl(server), path);

        Assert.True(status == response.Status, $"{server} {path[..Math.Min(path.Length, 120)]}: expected {status}, got {response.Status}\n{response.Text[..Math.Min(response.Text.Length, 600)]}");
        AssertNothingLeaked(response, path);
    }

    [Theory]
    [InlineData("origin", "NUL byte in the path", "/titles/\0/x.mp4")]
    [InlineData("edge", "NUL byte in the path", "/titles/\0/x.mp4")]
    [InlineData("origin", "absolute-form with traversal", "http://127.0.0.1/titles/../../etc/passwd")]
    [InlineData("edge", "absolute-form with traversal", "http://127.0.0.1/titles/../../etc/passwd")]
    [InlineData("origin", "no leading slash", "titles/x")]
    [InlineData("edge", "no leading slash", "titles/x")]
    public async Task Get_MalformedRequestTarget_Is400(string server, string what, string target)
    {
        await SampleAsync();

        var response = await RawHttp.SendAsync(BaseUrl(server), target);

        Assert.True(response.Status == 400, $"{server} {what}: got {response.Status}");
        AssertNothingLeaked(response, what);
    }

    public static TheoryData<string, string, int> Ranges()
    {
        var data = new TheoryData<string, string, int>();
        (string Range, int Status)[] rows =
        [
            ("bytes=0-99", 206), // control
            ("bytes=abc", 200),
            ("bytes=5-1", 200),
            ("bytes=99999999999999999999-", 200), // over 2^63: unparsable, ignored
            ("bytes=0-99999999999999999999", 200),
            ("bytes=-99999999999999999999", 200),
            ("bytes=9223372036854775807-", 416), // 2^63-1: parsable, past the end
            ("bytes={size}-", 416),
            ("bytes=--1", 200),
            ("bytes=1-2-3", 200),
            ("items=0-10", 200),
            ("bytes=" + string.Join(',', Enumerable.Range(0, 300).Select(i => $"{i * 2}-{(i * 2) + 1}")), 200), // hundreds of ranges
            ("bytes=0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0", 200),
        ];
        foreach (var server in new[] { "origin", "edge" })
        {
            foreach (var (range, status) in rows)
            {
                data.Add(server, range, status);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task Get_AbusiveRange_Is416OrWholeObject(string server, string range, int status)
    {
        var (id, version) = await SampleAsync();
        var onDisk = await File.ReadAllBytesAsync(await stack.PublishedFileAsync(id, "240p/media.mp4"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{BaseUrl(server)}/titles/{id}/{version}/240p/media.mp4");
        request.Headers.TryAddWithoutValidation("Range", range.Replace("{size}", onDisk.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        switch (status)
        {
            case 200:
                Assert.Equal(onDisk, body);
                break;
            case 206:
                Assert.Equal(onDisk.AsSpan(0, 100).ToArray(), body);
                break;
            default:
                Assert.Equal($"bytes */{onDisk.Length}", response.Content.Headers.GetValues("Content-Range").Single());
                break;
        }
    }

    [Theory]
    [InlineData("origin")]
    [InlineData("edge")]
    public async Task Get_OversizedHeaders_Is431(string server)
    {
        var (id, version) = await SampleAsync();
        var target = $"/titles/{id}/{version}/240p/index.m3u8";

        var big = await RawHttp.SendAsync(BaseUrl(server), target, headers: [("X-Big", new string('a', 20 * 1024))]);
        var many = await RawHttp.SendAsync(BaseUrl(server), target, headers: Enumerable.Range(0, 100).Select(i => ($"X-H{i}", "1")));

        Assert.Equal(431, big.Status);
        Assert.Equal(431, many.Status);
    }

    [Theory]
    [InlineData("origin")]
    [InlineData("edge")]
    public async Task Responses_CarryNosniff_AndCorsOnlyForGetAndHead(string server)
    {
        var (id, version) = await SampleAsync();
        var url = $"{BaseUrl(server)}/titles/{id}/{version}/240p/index.m3u8";
        using var get = new HttpRequestMessage(HttpMethod.Get, url);
        get.Headers.Add("Origin", "https://player.example");
        using var preflight = new HttpRequestMessage(HttpMethod.Options, url);
        preflight.Headers.Add("Origin", "https://player.example");
        preflight.Headers.Add("Access-Control-Request-Method", "DELETE");

        using var got = await stack.Http.SendAsync(get);
        using var refused = await stack.Http.SendAsync(preflight);

        Assert.Equal("nosniff", got.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("*", got.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.TryGetValues("Access-Control-Allow-Methods", out var methods) && methods.Any(m => m.Contains("DELETE", StringComparison.Ordinal)));
    }
}
