using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Media.Subtitles;
using Vod.Storage;

namespace Vod.Origin.Subtitles;

/// <summary>The outcome of an edit: the title as it is now, or the status and reason of a refusal.</summary>
internal sealed record SubtitleEdit(Title? Title, int Status = StatusCodes.Status200OK, string? Reason = null)
{
    public static SubtitleEdit Refused(int status, string reason) => new(null, status, reason);
}

/// <summary>
/// Adds and removes subtitle tracks by publishing a new version of the title: the current version's files, without
/// the removed track's and with the added track's WebVTT, its playlist and a version master that lists it
/// (<see cref="IMediaStore.PublishDerivedAsync"/>: the media is shared, not copied through this process). The catalog
/// entry then points at the new version, so players that load the master from then on see the change, and players
/// already playing keep the version they started with (it stays until the store sweeps superseded versions).
/// <para>
/// Two edits of one title at once (two admins, two origins) must not lose one of them: the entry is written only if it
/// still points at the version the edit started from; otherwise the edit is redone on top of the version that won
/// (and the version it had published is left for the sweep, referenced by nothing).
/// </para>
/// </summary>
internal sealed class SubtitleEditor(IMediaStore store, TimeProvider time, ILogger<SubtitleEditor> logger)
{
    /// <summary>Tracks per title: a menu longer than this helps nobody, and each is a row in every manifest.</summary>
    public const int MaxTracks = 32;

    private const int Attempts = 3;

    /// <summary>What an edit does to a version: the tracks after it, and the base's files it drops.</summary>
    private sealed record Change(IReadOnlyList<SubtitleTrackInfo> Subtitles, IReadOnlyCollection<string> Without, SubtitleEdit? Refusal = null);

    public Task<SubtitleEdit> AddAsync(string titleId, string language, string label, SubtitleDocument document, CancellationToken cancellationToken) =>
        EditAsync(titleId, async (title, staging) =>
        {
            if (title.Subtitles.Count >= MaxTracks)
            {
                return new Change([], [], SubtitleEdit.Refused(StatusCodes.Status409Conflict, $"title '{title.Id}' already has {MaxTracks} subtitle tracks, the most it may have: remove one first"));
            }

            var track = SubtitleTrackInfo.Create(SubtitleTrackInfo.NextName(title.Subtitles), language, label, uploaded: true);
            await SubtitleFiles.WriteAsync(staging, track.File, track.Playlist, document, TimeSpan.FromSeconds(title.DurationSeconds ?? 0), cancellationToken);
            return new Change([.. title.Subtitles, track], []);
        }, cancellationToken);

    public Task<SubtitleEdit> RemoveAsync(string titleId, string name, CancellationToken cancellationToken) =>
        EditAsync(titleId, (title, _) => Task.FromResult(title.Subtitles.FirstOrDefault(t => t.Name == name) is { } track
            ? new Change([.. title.Subtitles.Where(t => t.Name != name)], [track.File, track.Playlist])
            : new Change([], [], SubtitleEdit.Refused(StatusCodes.Status404NotFound, $"title '{titleId}' has no subtitle track '{name}'"))),
            cancellationToken);

    private async Task<SubtitleEdit> EditAsync(string titleId, Func<Title, string, Task<Change>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var title = await store.ReadTitleAsync(titleId, cancellationToken);
            if (title is null)
            {
                return SubtitleEdit.Refused(StatusCodes.Status404NotFound, $"no title with id '{titleId}'");
            }

            if (title.Status != TitleStatus.Ready || title.Version is null)
            {
                return SubtitleEdit.Refused(StatusCodes.Status409Conflict, $"title '{titleId}' is {title.Status.ToString().ToLowerInvariant()}: its subtitles can be changed once it is ready");
            }

            var staging = Path.Combine(store.Scratch.Staging, $"{titleId}-subtitles-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            try
            {
                var edit = await change(title, staging);
                if (edit.Refusal is { } refusal)
                {
                    return refusal;
                }

                // The version's own master (relative URIs) lists the tracks it holds, like a transcoded version's.
                await File.WriteAllTextAsync(
                    Path.Combine(staging, "master.m3u8"),
                    MasterPlaylist.ForTitle(title.Renditions, title.Audio, [(null, "")], subtitles: edit.Subtitles),
                    cancellationToken);
                var version = await store.PublishDerivedAsync(titleId, title.Version, staging, edit.Without, cancellationToken);
                var current = await store.ReadTitleAsync(titleId, CancellationToken.None);
                if (version is null || current is null)
                {
                    if (current is null)
                    {
                        return SubtitleEdit.Refused(StatusCodes.Status404NotFound, $"no title with id '{titleId}' (it was deleted meanwhile)");
                    }

                    continue; // the base version went away under the edit: start again from the current one
                }

                if (current.Version != title.Version)
                {
                    Log.SubtitleEditRaced(logger, titleId, attempt);
                    continue;
                }

                var updated = current with { Version = version, Subtitles = edit.Subtitles, UpdatedAt = time.GetUtcNow() };
                await store.WriteTitleAsync(updated, CancellationToken.None);
                Log.SubtitlesChanged(logger, titleId, version, edit.Subtitles.Count);
                return new SubtitleEdit(updated);
            }
            finally
            {
                LocalMediaStore.DeleteDirectory(staging); // consumed by a publish; still there after a refusal
            }
        }

        return SubtitleEdit.Refused(StatusCodes.Status409Conflict, $"title '{titleId}' kept changing during the edit: try again");
    }
}
