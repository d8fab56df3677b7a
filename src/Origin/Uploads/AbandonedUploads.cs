using System.Diagnostics;
using System.Globalization;
using Vod.Common.Catalog;
using Vod.Storage;

namespace Vod.Origin.Uploads;

/// <summary>
/// Uploads in flight are temp files <c>uploads/.tmp-{machine}-{pid}-{guid}</c>, named for the origin process writing
/// them. At start-up an origin removes the ones whose writer is gone: on this machine, a process that no longer runs
/// (an origin killed mid-upload, as soon as it restarts); from elsewhere, a file untouched for
/// <see cref="AbandonedAfter"/> (an upload in flight writes its file continuously). With several origins on one media
/// store, removing every temp file at start-up would cut off another origin's upload in flight.
/// </summary>
internal sealed class AbandonedUploads(IMediaStore store, TimeProvider time) : IHostedService
{
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);
    private const string Prefix = ".tmp-";
    private static readonly string Machine = new([.. Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

    /// <summary>A fresh temp file name for an upload this process receives.</summary>
    public static string NewTempName() => $"{Prefix}{Machine}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Remove(store, time.GetUtcNow() - AbandonedAfter, IsRunning);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes the temp uploads whose writer is gone; returns how many.</summary>
    /// <param name="staleBefore">A temp file last written before this has no writer, whoever it was.</param>
    /// <param name="isRunning">Whether a process of this machine runs (a test passes its own).</param>
    public static int Remove(IMediaStore store, DateTimeOffset staleBefore, Func<int, bool> isRunning)
    {
        if (!Directory.Exists(store.Scratch.Uploads))
        {
            return 0;
        }

        var removed = 0;
        foreach (var temp in Directory.EnumerateFiles(store.Scratch.Uploads, Prefix + "*"))
        {
            var writer = Writer(Path.GetFileName(temp));
            var gone = (writer is { } w && w.Machine == Machine && w.Pid != Environment.ProcessId && !isRunning(w.Pid))
                || File.GetLastWriteTimeUtc(temp) < staleBefore.UtcDateTime;
            if (gone)
            {
                File.Delete(temp);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>The machine and pid in a temp file's name, or null for another shape.</summary>
    internal static (string Machine, int Pid)? Writer(string fileName)
    {
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = fileName[Prefix.Length..];
        var guid = rest.LastIndexOf('-');
        var pid = guid > 0 ? rest.LastIndexOf('-', guid - 1) : -1;
        return pid > 0 && int.TryParse(rest.AsSpan(pid + 1, guid - pid - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? (rest[..pid], id)
            : null;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
