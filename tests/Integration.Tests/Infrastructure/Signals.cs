using System.Runtime.InteropServices;

namespace Vod.Integration.Tests.Infrastructure;

public static partial class Signals
{
    public const int Kill = 9;
    public const int Term = 15;
    public const int Stop = 19;
    public const int Cont = 18;

    /// <summary>kill(2): sends <paramref name="signal"/> to a process.</summary>
    public static void Send(int pid, int signal)
    {
        if (SendSignal(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
