using System.Globalization;
using Vod.Common.Catalog;
using Vod.Storage;

namespace Vod.Transcoder.Publishing;

/// <summary>
/// Where a transcode writes until it is complete: a directory under the scratch's <c>staging/</c>, never served.
/// <see cref="IMediaStore.PublishAsync"/> then makes it a version (with the local store, one rename on the same file
/// system), so a player or an edge sees either no version or the whole version, never half of one.
/// </summary>
internal sealed class StagingArea(IMediaStore store, TimeProvider time)
{
    public string Create(string titleId)
    {
        var path = Path.Combine(store.Scratch.Staging, $"{titleId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The directory of a job's encoded ladder, inside its staging directory: what gets published.</summary>
    public static string CreateLadder(string stagingDirectory) => Directory.CreateDirectory(Path.Combine(stagingDirectory, "ladder")).FullName;

    /// <summary>Whether the file system of <paramref name="path"/> has (almost) no space left: the likely cause of a failed write.</summary>
    public static bool IsNearlyFull(string path)
    {
        try
        {
            return new DriveInfo(path).AvailableFreeSpace < 1 << 20;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Marks a staging directory as in use (see <see cref="Sweep"/>).</summary>
    public static void Touch(string stagingDirectory, DateTimeOffset now)
    {
        try
        {
            Directory.SetLastWriteTimeUtc(stagingDirectory, now.UtcDateTime);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Removes what dead workers and interrupted deletes left in staging: directories nobody touched for
    /// <paramref name="idle"/> (a live transcode touches its directory every second). Returns how many were removed.
    /// </summary>
    public int Sweep(TimeSpan idle)
    {
        if (!Directory.Exists(store.Scratch.Staging))
        {
            return 0;
        }

        var cutoff = time.GetUtcNow().UtcDateTime - idle;
        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(store.Scratch.Staging))
        {
            if (Directory.GetLastWriteTimeUtc(directory) < cutoff)
            {
                Discard(directory);
                removed++;
            }
        }

        return removed;
    }

    public static void Discard(string stagingDirectory) => LocalMediaStore.DeleteDirectory(stagingDirectory);
}
