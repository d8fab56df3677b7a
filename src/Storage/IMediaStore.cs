using Vod.Common.Catalog;
using Vod.Common.Webhooks;

namespace Vod.Storage;

/// <summary>
/// Where titles live: the catalog entries, the uploaded sources and the published versions. Two implementations:
/// <see cref="LocalMediaStore"/> (a directory; publishing is one rename) and <see cref="S3MediaStore"/> (a bucket;
/// publishing writes the version's objects first and the catalog entry that points at them last). Either way a reader
/// sees a whole version or none, and a crashed writer leaves only what no catalog entry references, which
/// <see cref="SweepAsync"/> removes.
/// <para>
/// Work in progress (an upload being received, a transcode being encoded) is always on this machine's disk, in
/// <see cref="Scratch"/>; only finished files enter the store.
/// </para>
/// </summary>
public interface IMediaStore
{
    /// <summary>This process's scratch directories (with the local store, on the store's own file system).</summary>
    MediaScratch Scratch { get; }

    /// <summary>The title's catalog entry, or null when there is none.</summary>
    Task<Title?> ReadTitleAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Replaces the title's catalog entry in one step: a reader sees the old entry or the new one.</summary>
    Task WriteTitleAsync(Title title, CancellationToken cancellationToken = default);

    /// <summary>Every title, newest first. Entries that cannot be read are skipped.</summary>
    Task<IReadOnlyList<Title>> ListTitlesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the title: its catalog entry first (it vanishes from the catalog and from serving in one step), then its
    /// versions and its source. False when it was already gone (a concurrent delete won).
    /// </summary>
    Task<bool> DeleteTitleAsync(Title title, CancellationToken cancellationToken = default);

    /// <summary>Moves a received upload (a file in <see cref="MediaScratch.Uploads"/>) into the store as <paramref name="source"/>.</summary>
    Task StoreSourceAsync(string localFile, string source, CancellationToken cancellationToken = default);

    /// <summary>Removes a source (an intake that failed after <see cref="StoreSourceAsync"/>).</summary>
    Task DeleteSourceAsync(string source, CancellationToken cancellationToken = default);

    /// <summary>
    /// A local file with the source's bytes, for ffmpeg: the stored file itself, or a download into
    /// <paramref name="scratchDirectory"/> (a job's staging directory) that is removed when the returned handle is
    /// disposed. Null when the source is missing.
    /// </summary>
    Task<LocalSource?> FetchSourceAsync(string source, string scratchDirectory, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a finished staging directory as a new version of the title and returns the version's name, or null when
    /// the title was deleted meanwhile (the output is dropped). The staging directory is consumed either way. The
    /// catalog entry is not changed: the caller points it at the version afterwards, which is what makes it visible.
    /// </summary>
    Task<string?> PublishAsync(string titleId, string stagingDirectory, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a new version of the title made of the files of <paramref name="baseVersion"/>, except those named in
    /// <paramref name="without"/> (paths relative to the version), and of the staging directory's files (a staged file
    /// replaces the base's file of the same path). For edits that change a few small files of a large version (a subtitle
    /// track added or removed): the media is not sent again (the local store hard-links it, S3 copies it inside the
    /// bucket). Returns the new version's name, or null when the title or the base version is gone. The staging directory
    /// is consumed either way; as with <see cref="PublishAsync"/>, the caller points the catalog entry at the version.
    /// </summary>
    Task<string?> PublishDerivedAsync(string titleId, string baseVersion, string stagingDirectory, IReadOnlyCollection<string> without, CancellationToken cancellationToken = default);

    /// <summary>
    /// A published text file of a version (<c>360p/index.m3u8</c>, relative to the version), or null when there is none.
    /// Published files never change, so callers may keep what they read.
    /// </summary>
    Task<string?> ReadPublishedTextAsync(string titleId, string version, string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes leftovers older than <paramref name="olderThan"/>: versions no catalog entry points at and sources with
    /// no title (a crashed transcoder's or origin's writes, superseded versions). Returns how many objects or
    /// directories were removed.
    /// </summary>
    Task<int> SweepAsync(TimeSpan olderThan, CancellationToken cancellationToken = default);

    /// <summary>Every registered webhook endpoint (<c>webhooks/{id}.json</c>). Entries that cannot be read are skipped.</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes a webhook endpoint's registration in one step.</summary>
    Task WriteWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken = default);

    /// <summary>Removes a webhook endpoint's registration; false when there was none.</summary>
    Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken = default);
}

/// <summary>A source as a local file (see <see cref="IMediaStore.FetchSourceAsync"/>); disposing removes a downloaded copy.</summary>
public sealed class LocalSource(string path, bool temporary) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose()
    {
        if (temporary)
        {
            File.Delete(Path);
        }
    }
}
