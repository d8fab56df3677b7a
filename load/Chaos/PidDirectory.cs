using System.Globalization;

namespace Vod.Load.Chaos;

/// <summary>A process the monkey may hit: its kind (<c>origin</c>), its name (<c>origin-1</c>) and its current PID.</summary>
internal sealed record ChaosProcess(string Kind, string Name, int Pid);

/// <summary>
/// The supervisor's PID files: <c>&lt;kind&gt;-N.pid</c> in one directory (run.sh: <c>run/pids</c>), rewritten with the new PID
/// whenever it restarts a process, so they are read afresh at every hit. Only live processes are answered: a file whose
/// PID is gone (or a zombie not yet reaped) is skipped, and so is this tool's own PID.
/// </summary>
internal static class PidDirectory
{
    public static IReadOnlyList<ChaosProcess> Live(string directory, string kind)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(directory, kind + "-*.pid");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var live = new List<ChaosProcess>();
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (ReadPid(file) is not { } pid || pid == Environment.ProcessId || !ProcessSignals.IsAlive(pid))
            {
                continue;
            }

            // A Sentinel is only ever hit when the kind sentinel is named, even if its file or title says redis.
            if (kind != "sentinel" && (name.Contains("sentinel", StringComparison.Ordinal) || IsSentinel(ProcessSignals.CommandLine(pid))))
            {
                continue;
            }

            live.Add(new ChaosProcess(kind, name, pid));
        }

        return live;
    }

    /// <summary>The PID in a PID file; null when it is missing, empty or not a number (being rewritten).</summary>
    public static int? ReadPid(string file)
    {
        try
        {
            return int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && pid > 1 ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>redis-server in Sentinel mode titles itself <c>redis-server *:26379 [sentinel]</c> (or runs as redis-sentinel).</summary>
    private static bool IsSentinel(string commandLine) =>
        commandLine.Contains("[sentinel]", StringComparison.Ordinal) || commandLine.StartsWith("redis-sentinel", StringComparison.Ordinal);
}
