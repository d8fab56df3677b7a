using System.Runtime.InteropServices;

namespace Vod.Load.Chaos;

/// <summary>Signals to service processes by PID (libc <c>kill</c>): SIGKILL a crash, SIGSTOP/SIGCONT a hung process.</summary>
internal static partial class ProcessSignals
{
    public const int Kill = 9;
    public const int Cont = 18;
    public const int Stop = 19;

    /// <summary>True when the signal was delivered.</summary>
    public static bool Send(int pid, int signal) => pid > 1 && SysKill(pid, signal) == 0;

    /// <summary>
    /// The process exists and is not a zombie (<c>kill(pid, 0)</c> succeeds for a zombie too, and a killed child stays
    /// one until its supervisor reaps it).
    /// </summary>
    public static bool IsAlive(int pid) => pid > 1 && SysKill(pid, 0) == 0 && State(pid) is not ('Z' or 'X');

    /// <summary>The state letter of <c>/proc/&lt;pid&gt;/stat</c> (R, S, T stopped, Z zombie), or null when unreadable.</summary>
    public static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length ? stat[close + 2] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>/proc/&lt;pid&gt;/cmdline</c> with its NUL separators as spaces ("" when unreadable). redis-server rewrites it to
    /// its process title, e.g. <c>redis-server 127.0.0.1:6380</c>.
    /// </summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
