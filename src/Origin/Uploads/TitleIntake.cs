using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Media.Probing;
using Vod.Origin.Catalog;
using Vod.Origin.Jobs;
using Vod.Storage;

namespace Vod.Origin.Uploads;

/// <summary>
/// Turns an uploaded file into a queued title: probe it with the shared <see cref="SourceProbe"/> (ffprobe with the
/// <c>file</c>-only protocol whitelist), move it into the store, write the catalog entry as <c>queued</c> (from then on
/// the upload cannot be lost: the catalog on disk is the source of truth), then enqueue its job.
/// </summary>
internal sealed class TitleIntake(IMediaStore store, JobQueue jobs, TimeProvider time, IOptions<ProbeOptions> probeOptions)
{
    public const int MaxNameLength = 200;

    /// <param name="tempFile">
    /// The upload in scratch; moved into the store on success, left to the caller when refused. If the catalog entry
    /// cannot be written (a full disk), the stored source is removed too: a failed intake leaves nothing behind.
    /// </param>
    /// <exception cref="SourceRejectedException">Not a usable video (not media, a playlist, over the limits).</exception>
    public async Task<Title> AcceptAsync(string tempFile, string? name, string? fileName, CancellationToken cancellationToken)
    {
        await SourceProbe.ProbeAsync(tempFile, probeOptions.Value, cancellationToken);

        var id = TitleId.New();
        var source = id + SourceExtension(fileName);
        await store.StoreSourceAsync(tempFile, source, cancellationToken);

        var now = time.GetUtcNow();
        var title = new Title
        {
            Id = id,
            Name = TitleNames.Sanitize(name, MaxNameLength) ?? TitleNames.Sanitize(Path.GetFileNameWithoutExtension(fileName), MaxNameLength) ?? id,
            Status = TitleStatus.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            Source = source,
        };
        try
        {
            await store.WriteTitleAsync(title, CancellationToken.None);
        }
        catch
        {
            // No catalog entry, no title: the stored source would be an orphan.
            await store.DeleteSourceAsync(source, CancellationToken.None);

            throw;
        }

        jobs.Enqueue(id);
        return title;
    }

    /// <summary>Keeps a short alphanumeric extension as a hint for the demuxer; anything else becomes <c>.bin</c>.</summary>
    internal static string SourceExtension(string? fileName)
    {
        var ext = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        return ext.Length is >= 2 and <= 9 && ext[1..].All(char.IsAsciiLetterOrDigit) ? ext : ".bin";
    }
}
