using System.Text.Json;

namespace Vod.Load.Scenarios;

internal sealed record ReadyTitle(string Id, double DurationSeconds, DateTimeOffset CreatedAt);

/// <summary>The origin's catalog (<c>GET /api/titles</c>) and fleet (<c>GET /api/edges</c>), as the tool needs them.</summary>
internal static class Catalog
{
    public static async Task<List<ReadyTitle>> ReadyTitlesAsync(HttpClient http, Uri origin, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(origin, "/api/titles"), timeout.Token));
        return document.RootElement.EnumerateArray()
            .Where(t => t.GetProperty("status").GetString() == "ready")
            .Select(t => new ReadyTitle(
                t.GetProperty("id").GetString()!,
                t.TryGetProperty("durationSeconds", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0,
                t.TryGetProperty("createdAt", out var c) && c.ValueKind == JsonValueKind.String ? c.GetDateTimeOffset() : default))
            .ToList();
    }

    public static async Task<List<(string Id, Uri Url, bool Routable)>> EdgesAsync(HttpClient http, Uri origin, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(origin, "/api/edges"), timeout.Token));
        return document.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("id").GetString()!, new Uri(e.GetProperty("url").GetString()!), e.GetProperty("routable").GetBoolean()))
            .ToList();
    }

    /// <summary>The titles to play: the ones named (each must be ready), or every ready title.</summary>
    public static async Task<List<ReadyTitle>> ChooseAsync(HttpClient http, LoadOptions options, CancellationToken ct)
    {
        var ready = await ReadyTitlesAsync(http, options.Origin, ct);
        if (options.Titles.Count == 0)
        {
            return ready.Count > 0 ? ready : throw new UsageException($"no ready title at {new Uri(options.Origin, "/api/titles")}");
        }

        return options.Titles.Select(id => ready.FirstOrDefault(t => t.Id == id)
            ?? throw new UsageException($"title '{id}' is not a ready title at {new Uri(options.Origin, "/api/titles")}")).ToList();
    }
}
