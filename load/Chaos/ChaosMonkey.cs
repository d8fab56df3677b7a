using System.Diagnostics;
using Vod.Load.Reporting;

namespace Vod.Load.Chaos;

/// <summary>A kind the monkey hits (<c>origin</c>) and how to list its live processes at the moment of a hit.</summary>
internal sealed record ChaosKind(string Kind, Func<IReadOnlyList<ChaosProcess>> Processes);

/// <summary>
/// Chaos Monkey in the loop: every <c>every</c> the next kind, round robin in the order given (so with four kinds
/// every 15 s each is hit in a 90 s run), then one of its live processes that this monkey has not stopped: at random,
/// except that for redis the current primary is preferred. It gets SIGKILL (restarted by the supervisor, or after
/// <c>restartAfter</c> by <c>restartCommand</c> when one is given) or SIGSTOP (a hung process; SIGCONT after
/// <c>restartAfter</c>). Each hit is marked on the run's timeline with the process's name, and counted by kind. When
/// the run ends the monkey waits for its pending recoveries, so no process is left stopped.
/// </summary>
internal sealed class ChaosMonkey(IReadOnlyList<ChaosKind> kinds, bool stop, TimeSpan every, TimeSpan restartAfter, string? restartCommand,
    RunRecorder recorder, TimeProvider time, Random random)
{
    /// <summary>How long the ROLE question to one redis-server may take before the monkey picks at random.</summary>
    private static readonly TimeSpan RoleTimeout = TimeSpan.FromMilliseconds(500);

    private readonly List<Task> _recoveries = [];
    private readonly HashSet<int> _stopped = [];
    private readonly HashSet<string> _restarting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _kills = kinds.ToDictionary(k => k.Kind, _ => 0, StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Hits
    {
        get
        {
            lock (_lock)
            {
                return _kills.Values.Sum();
            }
        }
    }

    /// <summary>Hits (KILL or STOP) per kind, every targeted kind listed, in the order given.</summary>
    public IReadOnlyDictionary<string, int> KillsByKind
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, int>(_kills, StringComparer.Ordinal);
            }
        }
    }

    public async Task RunAsync(CancellationToken runEnd)
    {
        // Bounded by the run's time; the count bound only guards against a zero interval.
        for (var round = 0; round < 10_000 && !runEnd.IsCancellationRequested; round++)
        {
            try
            {
                await Task.Delay(every, time, runEnd);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await HitAsync(kinds[round % kinds.Count]);
        }

        // Bring everything back before the report, whatever the recovery delays were.
        Task[] pending;
        lock (_lock)
        {
            pending = _recoveries.ToArray();
        }

        await Task.WhenAll(pending);
    }

    private async Task HitAsync(ChaosKind kind)
    {
        var found = kind.Processes();
        List<ChaosProcess> live;
        lock (_lock)
        {
            live = found.Where(p => !_stopped.Contains(p.Pid) && !_restarting.Contains(p.Name) && ProcessSignals.IsAlive(p.Pid)).ToList();
        }

        if (live.Count == 0)
        {
            recorder.Mark("chaos-skip", $"{kind.Kind}: no live process that is not already down");
            return;
        }

        var (target, primary) = await ChooseAsync(kind.Kind, live);
        if (!ProcessSignals.Send(target.Pid, stop ? ProcessSignals.Stop : ProcessSignals.Kill))
        {
            recorder.Mark("chaos-skip", $"{target.Name}: signal to pid {target.Pid} failed");
            return;
        }

        lock (_lock)
        {
            _kills[kind.Kind]++;
            if (stop)
            {
                _stopped.Add(target.Pid);
                _recoveries.Add(ContinueAsync(target));
            }
            else if (restartCommand is not null)
            {
                _restarting.Add(target.Name);
                _recoveries.Add(RestartAsync(target, restartCommand));
            }
        }

        recorder.Mark(stop ? "stop" : "kill", $"{target.Name} (pid {target.Pid}{(primary ? ", primary" : "")})", target.Name);
    }

    /// <summary>A random live process; for redis the primary when one answers ROLE with master.</summary>
    private async Task<(ChaosProcess Target, bool Primary)> ChooseAsync(string kind, List<ChaosProcess> live)
    {
        if (kind == "redis")
        {
            foreach (var process in live)
            {
                if (RedisRole.Port(ProcessSignals.CommandLine(process.Pid)) is { } port && await RedisRole.QueryAsync(port, RoleTimeout) == "master")
                {
                    return (process, true);
                }
            }
        }

        return (live[random.Next(live.Count)], false);
    }

    private async Task ContinueAsync(ChaosProcess target)
    {
        // Not cancelled by the run's end: a process is never left stopped.
        await Task.Delay(restartAfter, time);
        var continued = ProcessSignals.Send(target.Pid, ProcessSignals.Cont);
        lock (_lock)
        {
            _stopped.Remove(target.Pid);
        }

        recorder.Mark("continue", $"{target.Name} (pid {target.Pid}{(continued ? "" : ", SIGCONT failed")})", target.Name);
    }

    private async Task RestartAsync(ChaosProcess target, string template)
    {
        await Task.Delay(restartAfter, time);
        var command = template.Replace("{edge}", target.Name, StringComparison.Ordinal)
            .Replace("{name}", target.Name, StringComparison.Ordinal)
            .Replace("{kind}", target.Kind, StringComparison.Ordinal);
        recorder.Mark("restart", $"{target.Name}: {await RunDetachedAsync(command)}", target.Name);
        lock (_lock)
        {
            _restarting.Remove(target.Name);
        }
    }

    /// <summary>Runs the command detached (setsid, its own session, no terminal), so the process outlives this tool.</summary>
    private static async Task<string> RunDetachedAsync(string command)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"setsid {command} </dev/null >/dev/null 2>&1 &");
        using var process = Process.Start(psi);
        if (process is null)
        {
            return $"could not start: {command}";
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0 ? command : $"{command} exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync(CancellationToken.None)}";
        }
        catch (OperationCanceledException)
        {
            return $"{command}: still running after 10 s";
        }
    }
}
