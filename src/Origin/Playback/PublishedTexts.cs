using System.Collections.Concurrent;
using Vod.Common.Catalog;
using Vod.Storage;

namespace Vod.Origin.Playback;

/// <summary>
/// Text files of published versions the control plane builds answers from (the single files' playlists for
/// <see cref="SegmentLists"/>, the storyboard for <see cref="Storyboards"/>), read from the store once: published files
/// never change. Bounded: past <see cref="MaxEntries"/> the map starts over.
/// </summary>
internal sealed class PublishedTexts(IMediaStore store)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<(string Id, string Version, string Path), string> _texts = new();

    /// <param name="path">Relative to the version (<c>360p/index.m3u8</c>).</param>
    /// <exception cref="InvalidOperationException">The file is missing from the version.</exception>
    public async Task<string> ReadAsync(Title title, string path, CancellationToken cancellationToken)
    {
        var key = (title.Id, title.Version!, path);
        if (_texts.TryGetValue(key, out var text))
        {
            return text;
        }

        text = await store.ReadPublishedTextAsync(title.Id, title.Version!, path, cancellationToken)
            ?? throw new InvalidOperationException($"{path} of title '{title.Id}' is missing from its version");
        if (_texts.Count >= MaxEntries)
        {
            _texts.Clear();
        }

        return _texts[key] = text;
    }
}
