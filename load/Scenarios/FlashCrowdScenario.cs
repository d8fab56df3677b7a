using System.Net.Http.Headers;
using Spectre.Console;
using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

/// <summary>
/// <c>flash-crowd</c>: every viewer starts the same title (the one named, else the newest ready one) within a short ramp
/// and plays it once, after a purge empties the edges (with <c>--admin-key</c>). The report's <c>flash_crowd</c> compares
/// what the viewers asked for (<see cref="OriginFetches"/>) with the origin fetches the edges made for it (the delta of
/// their <c>/metrics</c> across the run); <c>--max-origin-fetch-ratio</c> bounds the fetches per distinct slice.
/// </summary>
internal sealed class FlashCrowdScenario(LoadOptions options) : Scenario(options)
{
    public static readonly TimeSpan DefaultRamp = TimeSpan.FromSeconds(3);

    private readonly OriginFetches _fetches = new();
    private ReadyTitle? _title;
    private bool _purged;
    private List<Uri> _edges = [];
    private Dictionary<string, double> _before = new(StringComparer.Ordinal);
    private Dictionary<string, double> _after = new(StringComparer.Ordinal);

    public override async Task PrepareAsync(ScenarioContext context, CancellationToken setup)
    {
        var titles = context.Titles;
        _title = Options.Titles.Count > 0 ? titles[0] : titles.MaxBy(t => t.CreatedAt)!;
        _purged = await PurgeAsync(context, _title.Id, setup);
        _edges = (await Catalog.EdgesAsync(context.Origins, setup)).Select(e => Loopback.Require(e.Url, "edge " + e.Id)).ToList();
        _before = await OriginFetches.ScrapeAsync(context.Http, _edges, setup);
    }

    /// <summary>The viewers, then the edges' origin fetches once they are done.</summary>
    public override async Task RunAsync(ScenarioContext context, CancellationToken runEnd)
    {
        await ViewerPool.RunAsync(context, [Title], Options.Ramp ?? DefaultRamp, repeat: false, runEnd, _fetches.Requested);
        _after = await OriginFetches.ScrapeAsync(context.Http, _edges, CancellationToken.None);
    }

    public override RunReport Summarise(RunReport report)
    {
        var delta = _after.ToDictionary(kv => kv.Key, kv => kv.Value - _before.GetValueOrDefault(kv.Key), StringComparer.Ordinal);
        var slices = delta.GetValueOrDefault("slice");
        var ratio = _fetches.DistinctSlices > 0 ? slices / _fetches.DistinctSlices : 0;
        var summarised = WithExtra(report, "flash_crowd", new Dictionary<string, object>
        {
            ["title"] = Title.Id,
            ["purged_first"] = _purged,
            ["edges"] = _edges.Count,
            ["distinct_objects"] = _fetches.DistinctObjects,
            ["distinct_slices"] = _fetches.DistinctSlices,
            ["origin_fetches"] = delta,
            ["origin_slice_fetches_per_distinct_slice"] = Math.Round(ratio, 3),
        });
        return Options.Thresholds.MaxOriginFetchesPerSlice is { } max && ratio > max
            ? summarised with { Failures = [.. summarised.Failures, $"{ratio:0.###} origin slice fetches per distinct slice (max {max})"] }
            : summarised;
    }

    private ReadyTitle Title => _title ?? throw new InvalidOperationException("the flash-crowd scenario runs only once prepared");

    /// <summary>Purges the title on every edge (through any origin entry); false when there is no admin key to do it with.</summary>
    private async Task<bool> PurgeAsync(ScenarioContext context, string titleId, CancellationToken ct)
    {
        if (Options.AdminKey is not { Length: > 0 } key)
        {
            context.Console.MarkupLine("[yellow]warning:[/] no --admin-key: the title is not purged first, so the edges may already hold it");
            return false;
        }

        var (response, _) = await context.Origins.SendAsync(entry =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(entry, $"/api/titles/{titleId}/purge"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return request;
        }, OriginEntries.DefaultTimeout, ct);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new UsageException($"purge of {titleId} answered {(int)response.StatusCode}");
            }
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500), ct); // the purge reaches edges through Redis pub/sub
        return true;
    }
}
