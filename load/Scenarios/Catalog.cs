using System.Text.Json;

namespace Vod.Load.Scenarios;

internal sealed record ReadyTitle(string Id, double DurationSeconds, DateTimeOffset CreatedAt);

/// <summary>
/// The origin's catalog (<c>GET /api/titles</c>) and fleet (<c>GET /api/edges</c>), as the tool needs them, from the
/// first origin entry that answers.
/// </summary>
internal static class Catalog
{
    public static async Task<List<ReadyTitle>> ReadyTitlesAsync(OriginEntries origins, CancellationToken ct)
    {
        using var document = await ArrayAsync(origins, "/api/titles", ct);
        return document.RootElement.EnumerateArray()
            .Where(t => t.GetProperty("status").GetString() == "ready")
            .Select(t => new ReadyTitle(
                t.GetProperty("id").GetString()!,
                t.TryGetProperty("durationSeconds", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0,
                t.TryGetProperty("createdAt", out var c) && c.ValueKind == JsonValueKind.String ? c.GetDateTimeOffset() : default))
            .ToList();
    }

    public static async Task<List<(string Id, Uri Url, bool Routable)>> EdgesAsync(OriginEntries origins, CancellationToken ct)
    {
        using var document = await ArrayAsync(origins, "/api/edges", ct);
        return document.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("id").GetString()!, new Uri(e.GetProperty("url").GetString()!), e.GetProperty("routable").GetBoolean()))
            .ToList();
    }

    /// <summary>
    /// A JSON array from an origin's API; anything else (an HTML page, a proxy's error, a server that is not an origin)
    /// is a usage error naming the URL and what came back, not a crash.
    /// </summary>
    private static async Task<JsonDocument> ArrayAsync(OriginEntries origins, string path, CancellationToken ct)
    {
        var (text, uri) = await origins.GetStringAsync(path, ct);
        try
        {
            var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        var start = new string([.. text.Take(60).Select(c => char.IsControl(c) ? ' ' : c)]);
        throw new UsageException($"{uri} did not answer with a JSON list (is --origin an origin of this product?); it began: {start}");
    }

    /// <summary>The titles to play: the ones named (each must be ready), or every ready title.</summary>
    public static async Task<List<ReadyTitle>> ChooseAsync(OriginEntries origins, IReadOnlyList<string> titles, CancellationToken ct)
    {
        var ready = await ReadyTitlesAsync(origins, ct);
        if (titles.Count == 0)
        {
            return ready.Count > 0 ? ready : throw new UsageException($"no ready title at {origins.First("/api/titles")}");
        }

        return titles.Select(id => ready.FirstOrDefault(t => t.Id == id)
            ?? throw new UsageException($"title '{id}' is not a ready title at {origins.First("/api/titles")}")).ToList();
    }
}
