using System.IO.Hashing;
using System.Text;
using Vod.Origin.Edges;

namespace Vod.Origin.Steering;

/// <summary>
/// Which edges a title's players should use, best first. Routable edges come first, ordered by rendezvous (highest
/// random weight) hashing of title and edge: every origin computes the same order without coordination, one title
/// keeps to the same edges (better hit ratio), and losing an edge only moves the titles that preferred it.
/// Unroutable edges come last, so players still know them but only use them when nothing else answers.
/// </summary>
internal static class SteeringPolicy
{
    public static IReadOnlyList<EdgeStatus> Order(string titleId, IEnumerable<EdgeStatus> edges) =>
        edges
            .OrderByDescending(e => e.Routable)
            .ThenByDescending(e => Weight(titleId, e.Id))
            .ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToList();

    public static ulong Weight(string titleId, string edgeId) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(titleId + "\n" + edgeId));
}
