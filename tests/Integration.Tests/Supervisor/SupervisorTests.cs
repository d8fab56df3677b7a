using System.Diagnostics;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Supervisor;

/// <summary><c>scripts/supervise.sh</c>, which <c>./run.sh</c> runs every process under, with a real child process.</summary>
public sealed class SupervisorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vod-supervise-").FullName;
    private readonly List<Process> _supervisors = [];

    private string PidFile => Path.Combine(_directory, "sleeper.pid");

    private string SupervisorLog => Path.Combine(_directory, "supervisor.log");

    [Fact]
    public async Task Supervise_ChildKilled_StartsItAgainAndRewritesThePidFile()
    {
        var supervisor = Start();
        var first = await PidAsync(previous: null);

        Signals.Send(first, Signals.Kill);

        var second = await PidAsync(previous: first);
        Assert.NotEqual(first, second);
        Assert.True(IsAlive(second));
        Assert.False(IsAlive(first));
        await Eventually.TrueAsync(() => File.ReadAllText(SupervisorLog).Contains($"sleeper (pid {first}) exited, killed by SIGKILL; restarting in 1 s", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the supervisor did not log the exit");

        // Dying again right away backs off longer.
        Signals.Send(second, Signals.Kill);
        var third = await PidAsync(previous: second);
        Assert.Contains("restarting in 2 s", File.ReadAllText(SupervisorLog), StringComparison.Ordinal);

        // SIGTERM stops the supervisor and its child (continued first, if it was stopped), and removes the pid file.
        Signals.Send(third, Signals.Stop);
        Signals.Send(supervisor.Id, Signals.Term);
        Assert.True(supervisor.WaitForExit(TimeSpan.FromSeconds(10)), "the supervisor did not stop on SIGTERM");
        await Eventually.TrueAsync(() => !IsAlive(third), TimeSpan.FromSeconds(5), "the child outlived its supervisor");
        Assert.False(File.Exists(PidFile));
    }

    [Fact]
    public async Task Supervise_ChildExitsWithACode_LogsTheCodeAndRestarts()
    {
        var supervisor = Start("sh", "-c", "sleep 0.3; exit 3");
        var first = await PidAsync(previous: null);

        var second = await PidAsync(previous: first);

        Assert.NotEqual(first, second);
        Assert.Contains($"sleeper (pid {first}) exited, exit code 3", File.ReadAllText(SupervisorLog), StringComparison.Ordinal);
        Signals.Send(supervisor.Id, Signals.Term);
        Assert.True(supervisor.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    private Process Start(params string[] command)
    {
        var psi = new ProcessStartInfo(Path.Combine(ServiceProcess.RepositoryRoot(), "scripts", "supervise.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "sleeper", PidFile, Path.Combine(_directory, "sleeper.log"), "--" }.Concat(command.Length > 0 ? command : ["sleep", "300"]))
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi)!;
        _supervisors.Add(process);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_directory)
            {
                File.AppendAllText(SupervisorLog, line + "\n");
            }
        }
    }

    /// <summary>The pid in the pid file once it names a live process other than <paramref name="previous"/>.</summary>
    private async Task<int> PidAsync(int? previous)
    {
        var pid = 0;
        await Eventually.TrueAsync(() =>
            File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out pid) && pid != previous && IsAlive(pid),
            TimeSpan.FromSeconds(10), "the pid file does not name a new live process");
        return pid;
    }

    private static bool IsAlive(int pid)
    {
        // A zombie (exited, not yet reaped) still has a /proc entry: count only processes that are not 'Z'.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var supervisor in _supervisors)
        {
            if (!supervisor.HasExited)
            {
                Signals.Send(supervisor.Id, Signals.Kill); // a failed test: do not leave it restarting its child
            }

            supervisor.Dispose();
        }

        if (File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) && IsAlive(pid))
        {
            Signals.Send(pid, Signals.Kill);
        }

        Directory.Delete(_directory, recursive: true);
    }
}
