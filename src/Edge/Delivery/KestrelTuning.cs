using Microsoft.Extensions.Logging.Console;

namespace Vod.Edge.Delivery;

/// <summary>
/// How the edge's server runs its connections: like nginx's workers, each socket's work is done on the thread that
/// saw the socket become ready, instead of being handed from the socket thread to the thread pool and back.
/// The rule that comes with it: nothing on a request path may block a thread (no sync-over-async, no synchronous
/// waits inside libraries), or every connection of that socket thread waits with it.
/// </summary>
internal static class KestrelTuning
{
    /// <summary>The runtime's switch for running socket completions on the socket (epoll) threads.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns on inline socket completions for this process unless the environment already says otherwise
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> turns them off). Must run before the first socket is
    /// created: the runtime reads the switch once. With it, the runtime also runs one socket thread per core.
    /// </summary>
    public static void PreferInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
    }

    /// <summary>How much response Kestrel buffers per connection before a write waits for the socket: one slice.</summary>
    public const int ResponseBufferBytes = 1 << 20;

    /// <summary>
    /// Kestrel's side of the same choice, and its response buffer. Inline scheduling runs request code on the thread
    /// that completed the socket read. <c>MaxResponseBufferSize</c> lets Kestrel buffer up to one slice per connection
    /// before a write waits for the socket: with the default 64 KiB every 64 KiB range response (headers + body)
    /// waited on a flush. Figures: bench/README.md, "Why the edge is shaped this way".
    /// </summary>
    public static IWebHostBuilder UseEdgeKestrelTuning(this IWebHostBuilder builder) => builder
        .ConfigureKestrel(o => o.Limits.MaxResponseBufferSize = ResponseBufferBytes)
        .UseSockets(o => o.UnsafePreferInlineScheduling = Environment.GetEnvironmentVariable(InlineCompletionsVariable) == "1");

    /// <summary>
    /// The console logger hands lines to a background writer through a bounded queue, and by default a full queue
    /// makes the logging thread wait. On the edge that thread may be a socket thread: when stdout is slow (a stalled
    /// log pipe, a flood of origin-failure warnings) lines are dropped instead.
    /// </summary>
    public static ILoggingBuilder DropLogLinesRatherThanWait(this ILoggingBuilder logging)
    {
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite);
        return logging;
    }
}
