using System.Collections.Concurrent;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Storage;

namespace Vod.Origin.Playback;

/// <summary>
/// The byte ranges of a version's single-file renditions, read from their HLS playlists, for MPDs that list segments
/// (<c>?segments=list</c>). Shaka Player 5.2.12 needs them: with <c>SegmentBase</c> it takes the index's URIs before
/// downloading it and the representation's URIs after, and when a failover changes them in between (the index request
/// itself moved to another edge) it reads the index as an external file and shifts every range (error 3014); a
/// <c>SegmentList</c> has no index to read. Published versions never change, so each is read once and kept (a bounded map).
/// </summary>
internal sealed class SegmentLists(IMediaStore store)
{
    private const int MaxVersions = 2_000;
    private readonly ConcurrentDictionary<(string Id, string Version), IReadOnlyDictionary<string, ByteRangePlaylist>> _versions = new();

    public async Task<IReadOnlyDictionary<string, ByteRangePlaylist>> ForAsync(Title title, CancellationToken cancellationToken)
    {
        var key = (title.Id, title.Version!);
        if (_versions.TryGetValue(key, out var known))
        {
            return known;
        }

        var lists = new Dictionary<string, ByteRangePlaylist>(StringComparer.Ordinal);
        var playlists = title.Renditions.Where(r => r.Dash?.IndexRange is not null).Select(r => r.Playlist)
            .Concat(title.Audio?.Dash?.IndexRange is not null ? [title.Audio.Playlist] : []);
        foreach (var playlist in playlists)
        {
            var text = await store.ReadPublishedTextAsync(title.Id, title.Version!, playlist, cancellationToken)
                ?? throw new InvalidOperationException($"{playlist} of title '{title.Id}' is missing from its version");
            lists[playlist] = ByteRangePlaylist.Parse(text);
        }

        if (_versions.Count >= MaxVersions)
        {
            _versions.Clear();
        }

        _versions[key] = lists;
        return lists;
    }
}
