using System.Collections.Concurrent;
using System.Globalization;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

/// <summary>
/// For flash-crowd: what the viewers asked the edges for (distinct objects, and the distinct cache slices their byte
/// ranges cover), and how many origin fetches the edges made for it (the delta of
/// <c>vod_edge_origin_fetches_total</c> on every edge's <c>/metrics</c>).
/// </summary>
internal sealed class OriginFetches(long sliceBytes = 1 << 20)
{
    private readonly ConcurrentDictionary<string, byte> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _slices = new(StringComparer.Ordinal);

    public void Requested(Uri uri, ByteRange range)
    {
        var path = uri.AbsolutePath;
        _objects.TryAdd(path, 0);
        var (first, last) = range.IsWhole ? (0L, 0L) : (range.Offset / sliceBytes, (range.Offset + range.Length - 1) / sliceBytes);
        for (var s = first; s <= last; s++)
        {
            _slices.TryAdd(string.Create(CultureInfo.InvariantCulture, $"{path}#{s}"), 0);
        }
    }

    public int DistinctObjects => _objects.Count;

    public int DistinctSlices => _slices.Count;

    /// <summary>Sum of <c>vod_edge_origin_fetches_total</c> by kind (meta, slice) over the given edges.</summary>
    public static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http, IEnumerable<Uri> edges, CancellationToken ct)
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var edge in edges)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            foreach (var (kind, value) in Parse(await http.GetStringAsync(new Uri(edge, "/metrics"), timeout.Token)))
            {
                totals[kind] = totals.GetValueOrDefault(kind) + value;
            }
        }

        return totals;
    }

    /// <summary>The successful origin fetches by kind in a Prometheus text exposition.</summary>
    internal static IEnumerable<(string Kind, double Value)> Parse(string metrics)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith("vod_edge_origin_fetches_total{", StringComparison.Ordinal) || !line.Contains("outcome=\"ok\"", StringComparison.Ordinal))
            {
                continue;
            }

            var kindAt = line.IndexOf("kind=\"", StringComparison.Ordinal);
            var close = line.LastIndexOf('}');
            if (kindAt < 0 || close < 0)
            {
                continue;
            }

            var kind = line[(kindAt + 6)..line.IndexOf('"', kindAt + 6)];
            if (double.TryParse(line[(close + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                yield return (kind, value);
            }
        }
    }
}
