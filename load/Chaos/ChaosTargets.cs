using Vod.Load.Scenarios;
using Vod.Load.Viewer;

namespace Vod.Load.Chaos;

/// <summary>
/// The chaos scenario's set-up: for each kind of <c>--targets</c>, where its processes are found at every hit. Edges keep
/// their older forms: fixed PIDs (<c>--edge-pids</c>) or a PID-file template (<c>--pid-file</c>) over the ids of
/// <c>/api/edges</c>; everything else, and edges without those options, is the <c>&lt;kind&gt;-N.pid</c> files of
/// <c>--pid-dir</c>. A kind with no live process at set-up is a set-up error: the stack is not what the run assumes.
/// </summary>
internal static class ChaosTargets
{
    public static async Task<List<ChaosKind>> DiscoverAsync(OriginEntries origins, LoadOptions options, CancellationToken ct)
    {
        var kinds = new List<ChaosKind>();
        foreach (var kind in options.Targets)
        {
            if (kind == "edge" && (options.EdgePids.Count > 0 || options.PidFile is not null))
            {
                kinds.Add(await EdgesAsync(origins, options, ct));
                continue;
            }

            var directory = options.PidDirectory;
            if (PidDirectory.Live(directory, kind).Count == 0)
            {
                throw new UsageException($"chaos: no live {kind} in {Path.GetFullPath(directory)} ({kind}-N.pid files, written by ./run.sh; --pid-dir)");
            }

            kinds.Add(new ChaosKind(kind, () => PidDirectory.Live(directory, kind)));
        }

        return kinds;
    }

    private static async Task<ChaosKind> EdgesAsync(OriginEntries origins, LoadOptions options, CancellationToken ct)
    {
        var edges = new List<(string Id, int? Pid, string? PidFile)>();
        foreach (var (id, url, _) in await Catalog.EdgesAsync(origins, ct))
        {
            Loopback.Require(url, "edge " + id);
            if (options.EdgePids.TryGetValue(id, out var pid))
            {
                edges.Add((id, pid, null));
            }
            else if (options.EdgePids.Count == 0 && options.PidFile!.Replace("{edge}", id, StringComparison.Ordinal) is var file && File.Exists(file))
            {
                edges.Add((id, null, file));
            }
        }

        if (edges.Count == 0)
        {
            throw new UsageException($"chaos: no edge of {origins.First("/api/edges")} has a PID (--edge-pids id=pid,... or --pid-file {options.PidFile})");
        }

        return new ChaosKind("edge", () => edges
            .Select(e => (e.Pid ?? (e.PidFile is { } f ? PidDirectory.ReadPid(f) : null)) is { } pid ? new ChaosProcess("edge", e.Id, pid) : null)
            .OfType<ChaosProcess>()
            .ToList());
    }
}
