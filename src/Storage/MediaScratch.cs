namespace Vod.Storage;

/// <summary>
/// This process's work on local disk, under <c>Media:Root</c>:
/// <code>
/// uploads/.tmp-*        an upload being received (moved into the store once accepted)
/// staging/{id}-{random}/ a transcode in progress, never served
/// </code>
/// With the local store these are on the same file system as <c>titles/</c>, so moving into the store is a rename.
/// </summary>
public sealed class MediaScratch
{
    public MediaScratch(string root)
    {
        Root = System.IO.Path.GetFullPath(root);
        Uploads = System.IO.Path.Combine(Root, "uploads");
        Staging = System.IO.Path.Combine(Root, "staging");
    }

    public string Root { get; }

    public string Uploads { get; }

    public string Staging { get; }

    public void EnsureCreated()
    {
        Directory.CreateDirectory(Uploads);
        Directory.CreateDirectory(Staging);
    }

    /// <summary>Whether an I/O failure is the disk running out of space (ENOSPC), reported as such to users.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException && (e.HResult is 28 or unchecked((int)0x80070070) || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));
}
