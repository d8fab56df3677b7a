using System.Collections.Concurrent;

namespace Vod.Edge.Caching;

/// <summary>
/// Each title's purge generation, as the origin numbers its purges (<c>PurgeLog</c>), and part of every cache key of
/// the title. A purge moves the title to a new generation, so a fill that started before the purge and lands after it
/// writes under keys nobody looks up any more: it cannot bring the purged object back.
/// </summary>
internal sealed class TitleGenerations
{
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);

    /// <summary>The title's current generation (0 until its first purge).</summary>
    public long Of(string titleId) => _generations.TryGetValue(titleId, out var generation) ? generation : 0;

    /// <summary>A purge of the title: it moves to <paramref name="generation"/> (never back).</summary>
    public void Advance(string titleId, long generation) =>
        _generations.AddOrUpdate(titleId, generation, (_, current) => Math.Max(current, generation));

    /// <summary>Takes the fleet's numbers as they are now (at start-up, or after purges may have been missed).</summary>
    public void Reset(IReadOnlyDictionary<string, long> generations)
    {
        _generations.Clear();
        foreach (var (titleId, generation) in generations)
        {
            _generations[titleId] = generation;
        }
    }
}
