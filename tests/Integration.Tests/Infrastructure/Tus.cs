using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>A small tus 1.0.0 client for tests: each call is one request, so a test can cut, repeat or misorder them.</summary>
public static class Tus
{
    public const string OffsetStream = "application/offset+octet-stream";

    /// <summary>POST /api/uploads; returns the upload's absolute URL.</summary>
    public static async Task<string> CreateAsync(HttpClient http, string originUrl, long length, string fileName, string? name = null)
    {
        using var request = Request(HttpMethod.Post, $"{originUrl}/api/uploads");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        var metadata = $"filename {Base64(fileName)}" + (name is null ? "" : $",name {Base64(name)}");
        request.Headers.Add("Upload-Metadata", metadata);
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
        var location = response.Headers.Location!;
        Assert.False(location.IsAbsoluteUri, "Location is relative, so it works through any origin");
        return originUrl + location.OriginalString;
    }

    /// <summary>The upload's committed offset (HEAD), or null with the status when there is no such upload.</summary>
    public static async Task<(HttpStatusCode Status, long? Offset)> HeadAsync(HttpClient http, string url)
    {
        using var request = Request(HttpMethod.Head, url);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, Header(response, "Upload-Offset") is { } o ? long.Parse(o, CultureInfo.InvariantCulture) : null);
    }

    public static async Task<HttpResponseMessage> PatchAsync(HttpClient http, string url, long offset, ReadOnlyMemory<byte> bytes, string contentType = OffsetStream)
    {
        var request = Request(HttpMethod.Patch, url);
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        request.Content = new ReadOnlyMemoryContent(bytes);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await http.SendAsync(request);
    }

    /// <summary>
    /// A PATCH that announces <paramref name="announced"/> bytes, sends only <paramref name="sent"/> of them over a raw
    /// socket, and then either closes the connection (<paramref name="hold"/> false: the network drops) or returns it
    /// open (the caller kills the server mid-body, then disposes it).
    /// </summary>
    public static async Task<TcpClient> PatchCutAsync(string url, long offset, ReadOnlyMemory<byte> sent, long announced, bool hold)
    {
        var uri = new Uri(url);
        var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        var stream = client.GetStream();
        var head = $"PATCH {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {StackFixture.AdminKey}\r\n"
            + $"Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\nContent-Type: {OffsetStream}\r\nContent-Length: {announced}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(sent);
        await stream.FlushAsync();
        if (!hold)
        {
            // The connection drops a moment later (as a network would, while the server keeps up with the bytes it gets):
            // Kestrel aborts a request at its client's FIN, and bytes it has not read by then are not received.
            await Task.Delay(500);
            client.Client.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await stream.CopyToAsync(Stream.Null, timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }

            client.Dispose();
        }

        return client;
    }

    public static HttpRequestMessage Request(HttpMethod method, string url, bool tus = true)
    {
        var request = StackFixture.AdminRequest(method, url);
        if (tus)
        {
            request.Headers.Add("Tus-Resumable", "1.0.0");
        }

        return request;
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
