using System.Globalization;
using Vod.Common.Catalog;

namespace Vod.Transcoder.Publishing;

/// <summary>
/// Where a transcode writes until it is complete. A staging directory lives under <c>media/staging/</c>, on the same
/// file system as <c>media/titles/</c>, so publishing is one directory rename: a player or an edge sees either
/// no version or the whole version, never half of one.
/// </summary>
internal sealed class StagingArea(MediaStore store, TimeProvider time)
{
    public string Create(string titleId)
    {
        var path = Path.Combine(store.Staging, $"{titleId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Renames <paramref name="stagingDirectory"/> to a new version directory of the title and returns the version,
    /// or null when the title was deleted meanwhile (its directory is gone), in which case the output is dropped.
    /// </summary>
    public string? Publish(string titleId, string stagingDirectory)
    {
        var titleDirectory = store.TitleDirectory(titleId);
        var version = "v" + time.GetUtcNow().ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        try
        {
            Directory.Move(stagingDirectory, Path.Combine(titleDirectory, version));
            return version;
        }
        catch (DirectoryNotFoundException)
        {
            Discard(stagingDirectory);
            return null;
        }
    }

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
        if (!Directory.Exists(store.Staging))
        {
            return 0;
        }

        var cutoff = time.GetUtcNow().UtcDateTime - idle;
        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(store.Staging))
        {
            if (Directory.GetLastWriteTimeUtc(directory) < cutoff)
            {
                Discard(directory);
                removed++;
            }
        }

        return removed;
    }

    public static void Discard(string stagingDirectory)
    {
        try
        {
            Directory.Delete(stagingDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
