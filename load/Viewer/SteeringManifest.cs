using System.Text.Json;

namespace Vod.Load.Viewer;

/// <summary>A <c>PATHWAY-CLONES</c> entry: a new pathway made from <see cref="BaseId"/>'s variants on another host.</summary>
internal sealed record PathwayClone(string BaseId, string Id, string? Host);

/// <summary>
/// An HLS content-steering answer (<c>VERSION</c>, <c>TTL</c>, <c>RELOAD-URI</c>, <c>PATHWAY-PRIORITY</c>,
/// <c>PATHWAY-CLONES</c> with a <c>HOST</c> replacement).
/// </summary>
internal sealed record SteeringManifest(int Version, int TtlSeconds, string? ReloadUri, IReadOnlyList<string> PathwayPriority)
{
    public IReadOnlyList<PathwayClone> Clones { get; init; } = [];

    public static SteeringManifest Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var version = root.TryGetProperty("VERSION", out var v) ? v.GetInt32() : 0;
        if (version != 1)
        {
            throw new FormatException($"steering manifest VERSION {version} is not 1");
        }

        var ttl = root.TryGetProperty("TTL", out var t) ? t.GetInt32() : 300; // the spec's default when TTL is absent
        var reload = root.TryGetProperty("RELOAD-URI", out var r) ? r.GetString() : null;
        var priority = root.TryGetProperty("PATHWAY-PRIORITY", out var p)
            ? p.EnumerateArray().Select(e => e.GetString() ?? "").Where(s => s.Length > 0).ToList()
            : [];
        var clones = root.TryGetProperty("PATHWAY-CLONES", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray()
                .Where(e => e.TryGetProperty("BASE-ID", out _) && e.TryGetProperty("ID", out _))
                .Select(e => new PathwayClone(e.GetProperty("BASE-ID").GetString() ?? "", e.GetProperty("ID").GetString() ?? "",
                    e.TryGetProperty("URI-REPLACEMENT", out var r) && r.TryGetProperty("HOST", out var h) ? h.GetString() : null))
                .ToList()
            : [];
        return new SteeringManifest(version, Math.Max(1, ttl), reload, priority) { Clones = clones };
    }
}
