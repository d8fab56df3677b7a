using Vod.Common.Catalog;
using Vod.Common.Hls;

namespace Vod.Origin.Playback;

/// <summary>
/// The byte ranges of a version's single-file renditions, read from their HLS playlists, for MPDs that list segments
/// (<c>?segments=list</c>). Shaka Player 5.2.12 needs them: with <c>SegmentBase</c> it takes the index's URIs before
/// downloading it and the representation's URIs after, and when a failover changes them in between (the index request
/// itself moved to another edge) it reads the index as an external file and shifts every range (error 3014); a
/// <c>SegmentList</c> has no index to read.
/// </summary>
internal sealed class SegmentLists(PublishedTexts texts)
{
    public async Task<IReadOnlyDictionary<string, ByteRangePlaylist>> ForAsync(Title title, CancellationToken cancellationToken)
    {
        var lists = new Dictionary<string, ByteRangePlaylist>(StringComparer.Ordinal);
        var playlists = title.Renditions.Where(r => r.Dash?.IndexRange is not null).Select(r => r.Playlist)
            .Concat(title.Audio.Where(a => a.Dash?.IndexRange is not null).Select(a => a.Playlist));
        foreach (var playlist in playlists)
        {
            lists[playlist] = ByteRangePlaylist.Parse(await texts.ReadAsync(title, playlist, cancellationToken));
        }

        return lists;
    }
}
