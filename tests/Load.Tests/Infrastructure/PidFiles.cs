using System.Diagnostics;
using System.Globalization;

namespace Vod.Load.Tests.Infrastructure;

/// <summary>
/// A temp PID directory as run.sh's supervisor writes it, for processes this test starts (<c>sleep</c>, nothing that
/// matters): every one is killed and the directory removed at the end, whatever the monkey did to them.
/// </summary>
internal sealed class PidFiles : IDisposable
{
    private readonly List<Process> _processes = [];

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"vod-load-pids-{Guid.NewGuid():N}");

    public PidFiles() => System.IO.Directory.CreateDirectory(Directory);

    /// <summary>
    /// Starts <c>sleep 60</c> under the process title <paramref name="title"/> (bash's <c>exec -a</c>, as redis-server
    /// rewrites its own) and writes <c>name.pid</c>.
    /// </summary>
    public int Live(string name, string title = "sleep")
    {
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "exec -a \"$0\" sleep 60", title })
        {
            psi.ArgumentList.Add(argument);
        }

        var process = System.Diagnostics.Process.Start(psi)!;
        _processes.Add(process);
        Write(name, process.Id);
        return process.Id;
    }

    /// <summary>Writes <c>name.pid</c> with the PID of a process that has exited (and been reaped).</summary>
    public int Dead(string name)
    {
        using var process = System.Diagnostics.Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        Write(name, process.Id);
        return process.Id;
    }

    public void Write(string name, object content) =>
        File.WriteAllText(Path.Combine(Directory, name + ".pid"), Convert.ToString(content, CultureInfo.InvariantCulture) + "\n");

    public Process Process(int pid) => _processes.Single(p => p.Id == pid);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // already gone (the test killed it)
            }

            process.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
