using System.Runtime.InteropServices;

namespace Vod.Load.Chaos;

/// <summary>Signals to edge processes by PID (libc <c>kill</c>): SIGKILL a crash, SIGSTOP/SIGCONT a hung edge.</summary>
internal static partial class ProcessSignals
{
    public const int Kill = 9;
    public const int Cont = 18;
    public const int Stop = 19;

    /// <summary>True when the signal was delivered.</summary>
    public static bool Send(int pid, int signal) => pid > 1 && SysKill(pid, signal) == 0;

    public static bool IsAlive(int pid) => pid > 1 && SysKill(pid, 0) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
