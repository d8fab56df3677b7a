using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// A webhook endpoint on loopback (HttpListener): records every POST it gets and answers 204. Until
/// <see cref="Start"/>, nothing listens on its port, so deliveries are refused.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private Task? _loop;

    public WebhookReceiver(int? port = null)
    {
        Port = port ?? FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hooks/vod";

    public ConcurrentQueue<Delivery> Received { get; } = new();

    public sealed record Delivery(string? EventId, string? Signature, byte[] Body, string ContentType)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public string Type => Json.GetProperty("type").GetString()!;

        public string TitleId => Json.GetProperty("data").GetProperty("id").GetString()!;
    }

    public WebhookReceiver Start()
    {
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                Received.Enqueue(new Delivery(context.Request.Headers["Vod-Event-Id"], context.Request.Headers["Vod-Signature"], body.ToArray(), context.Request.ContentType ?? ""));
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        });
        return this;
    }

    /// <summary>Waits for an event of <paramref name="type"/> about <paramref name="titleId"/>.</summary>
    public async Task<Delivery> WaitForAsync(string type, string titleId, TimeSpan timeout)
    {
        Delivery? found = null;
        await Eventually.TrueAsync(() => (found = Received.FirstOrDefault(d => d.Type == type && d.TitleId == titleId)) is not null, timeout,
            $"no {type} for {titleId} arrived; got [{string.Join(", ", Received.Select(d => $"{d.Type} {d.TitleId}"))}]");
        return found!;
    }

    /// <summary>
    /// The receiver's side of the signature, written from the README's description and not from the origin's code:
    /// <c>t=&lt;unix s&gt;,v1=hex(HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;"))</c>, the time within five minutes.
    /// </summary>
    public static bool SignatureIsValid(Delivery delivery, string secret)
    {
        var parts = (delivery.Signature ?? "").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(t, CultureInfo.InvariantCulture)) > 300)
        {
            return false;
        }

        byte[] signed = [.. Encoding.UTF8.GetBytes(t + "."), .. delivery.Body];
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(expected)), Encoding.ASCII.GetBytes(v1));
    }

    /// <summary>Registers <paramref name="url"/> on the origin as an admin; returns (id, secret).</summary>
    public static async Task<(string Id, string Secret)> RegisterAsync(HttpClient http, string origin, string adminKey, string url, params string[] events)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{origin}/api/webhooks") { Content = JsonContent.Create(new { url, events }) };
        request.Headers.Authorization = new("Bearer", adminKey);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"registration: {(int)response.StatusCode} {text}");
        var json = JsonDocument.Parse(text).RootElement;
        return (json.GetProperty("id").GetString()!, json.GetProperty("secret").GetString()!);
    }

    /// <summary>The endpoint as <c>GET /api/webhooks</c> shows it (with its recent deliveries).</summary>
    public static async Task<JsonElement?> EndpointAsync(HttpClient http, string origin, string adminKey, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{origin}/api/webhooks");
        request.Headers.Authorization = new("Bearer", adminKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        foreach (var endpoint in JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray())
        {
            if (endpoint.GetProperty("id").GetString() == id)
            {
                return endpoint.Clone();
            }
        }

        return null;
    }

    public static async Task DeleteAsync(HttpClient http, string origin, string adminKey, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{origin}/api/webhooks/{id}");
        request.Headers.Authorization = new("Bearer", adminKey);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public void Dispose()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        _listener.Close();
        _loop?.Wait(TimeSpan.FromSeconds(5));
    }
}
