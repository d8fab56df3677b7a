// The bench's "Kestrel floor": Kestrel, tuned exactly as the edge (Vod.Edge.Delivery.KestrelTuning) and writing bodies
// as the edge does (ResponsePipe.SendAsync), answering from byte arrays it loaded at start-up and doing nothing
// else: no cache lookup, no preconditions, no metrics, no CORS.
// Whatever our edge adds to a cache hit shows as the gap between it and this server; whatever Kestrel itself costs
// against nginx or Varnish shows as the gap between this server and them. It serves GET with at most one
// "bytes=from-to" range, which is all the bench asks; it is a measuring stick, not a file server.
//
// HTTPS: its URLs are bound as the edge's are (ServiceListeners): with Tls__CertificatePath and Tls__KeyPath, every
// https:// URL of ASPNETCORE_URLS is served over TLS with HTTP/1.1 and HTTP/2, through the edge's TLS set-up.
using System.Collections.Frozen;
using System.Globalization;
using Vod.Edge.Delivery;
using Vod.ServiceDefaults.Tls;

KestrelTuning.PreferInlineSocketCompletions();

var docroot = Environment.GetEnvironmentVariable("FLOOR_DOCROOT");
if (docroot is null || !Directory.Exists(docroot))
{
    Console.Error.WriteLine("FLOOR_DOCROOT must name the directory whose files are served (got '" + docroot + "')");
    return 2;
}

var files = Directory.EnumerateFiles(docroot, "*", SearchOption.AllDirectories)
    .ToFrozenDictionary(f => "/" + Path.GetRelativePath(docroot, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseEdgeKestrelTuning();
ServiceListeners.Add(builder, []);

var app = builder.Build();
app.Run(async context =>
{
    var response = context.Response;
    var path = context.Request.Path.Value ?? "";
    if (!files.TryGetValue(path, out var bytes))
    {
        response.StatusCode = StatusCodes.Status404NotFound;
        return;
    }

    response.ContentType = path.EndsWith(".m3u8", StringComparison.Ordinal)
        ? "application/vnd.apple.mpegurl" : "video/iso.segment";
    response.Headers.AcceptRanges = "bytes";
    var body = bytes.AsMemory();
    if (TryParseRange(context.Request.Headers.Range.ToString(), bytes.Length, out var from, out var to))
    {
        response.StatusCode = StatusCodes.Status206PartialContent;
        response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/{bytes.Length}");
        body = body[from..(to + 1)];
    }

    response.ContentLength = body.Length;
    await ResponsePipe.SendAsync(response.BodyWriter, body, context.Request.IsHttps, context.RequestAborted); // as the edge writes a body
});
app.Run();
return 0;

static bool TryParseRange(string header, int size, out int from, out int to)
{
    from = to = 0;
    var dash = header.IndexOf('-', StringComparison.Ordinal);
    if (!header.StartsWith("bytes=", StringComparison.Ordinal) || dash < 6)
    {
        return false;
    }

    return int.TryParse(header.AsSpan(6, dash - 6), CultureInfo.InvariantCulture, out from)
        && int.TryParse(header.AsSpan(dash + 1), CultureInfo.InvariantCulture, out to)
        && from <= to && to < size;
}
