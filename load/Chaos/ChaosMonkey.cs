using System.Diagnostics;
using System.Globalization;
using Vod.Load.Reporting;

namespace Vod.Load.Chaos;

/// <summary>An edge the monkey may hit: its id, and how to find its current PID (a fixed one or a PID file).</summary>
internal sealed record ChaosTarget(string EdgeId, int? Pid, string? PidFile, string? RestartCommand)
{
    public int? CurrentPid()
    {
        if (Pid is { } pid)
        {
            return pid;
        }

        return PidFile is not null && File.Exists(PidFile)
            && int.TryParse(File.ReadAllText(PidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var read)
            ? read
            : null;
    }
}

/// <summary>
/// Chaos Monkey in the loop: every <c>every</c>, one random edge that is up is hit — SIGKILL (restarted after
/// <c>restartAfter</c> with its restart command) or SIGSTOP (a hung edge; SIGCONT after <c>restartAfter</c>). Each
/// kill and restart is marked on the run's timeline. When the run ends every stopped edge is continued and every
/// killed one restarted, so the stack is left as it was found.
/// </summary>
internal sealed class ChaosMonkey(IReadOnlyList<ChaosTarget> targets, bool stop, TimeSpan every, TimeSpan restartAfter, RunRecorder recorder,
    TimeProvider time, Random random)
{
    private readonly List<Task> _recoveries = [];
    private readonly HashSet<string> _down = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Hits { get; private set; }

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

            ChaosTarget[] up;
            lock (_lock)
            {
                up = targets.Where(t => !_down.Contains(t.EdgeId)).ToArray();
            }

            if (up.Length == 0)
            {
                recorder.Mark("chaos-skip", "every edge is already down");
                continue;
            }

            var target = up[random.Next(up.Length)];
            Hit(target);
        }

        // Bring everything back before the report, whatever the recovery delays were.
        Task[] pending;
        lock (_lock)
        {
            pending = _recoveries.ToArray();
        }

        await Task.WhenAll(pending);
    }

    private void Hit(ChaosTarget target)
    {
        if (target.CurrentPid() is not { } pid || !ProcessSignals.IsAlive(pid))
        {
            recorder.Mark("chaos-skip", $"{target.EdgeId}: no live PID");
            return;
        }

        if (!ProcessSignals.Send(pid, stop ? ProcessSignals.Stop : ProcessSignals.Kill))
        {
            recorder.Mark("chaos-skip", $"{target.EdgeId}: signal to pid {pid} failed");
            return;
        }

        Hits++;
        recorder.Mark(stop ? "stop" : "kill", $"{target.EdgeId} (pid {pid}, SIG{(stop ? "STOP" : "KILL")})");
        lock (_lock)
        {
            _down.Add(target.EdgeId);
            _recoveries.Add(RecoverAsync(target, pid));
        }
    }

    private async Task RecoverAsync(ChaosTarget target, int pid)
    {
        // Not cancelled by the run's end: an edge is never left stopped or dead.
        await Task.Delay(restartAfter, time);
        if (stop)
        {
            var continued = ProcessSignals.Send(pid, ProcessSignals.Cont);
            recorder.Mark("continue", $"{target.EdgeId} (pid {pid}, SIGCONT{(continued ? "" : " failed")})");
        }
        else if (target.RestartCommand is { } command)
        {
            recorder.Mark("restart", $"{target.EdgeId}: {await RestartAsync(command)}");
        }
        else
        {
            recorder.Mark("restart-skip", $"{target.EdgeId}: no restart command");
        }

        lock (_lock)
        {
            _down.Remove(target.EdgeId);
        }
    }

    /// <summary>Runs the command detached (setsid, its own session, no terminal), so the edge outlives this tool.</summary>
    private static async Task<string> RestartAsync(string command)
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
