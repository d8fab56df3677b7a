namespace Vod.Edge.Caching;

/// <summary>
/// A byte store for cached objects, in the shape of ASP.NET Core's <c>IOutputCacheStore</c>: async get and set of
/// whole values with a lifetime. The edge has two: process memory (L1) and Redis shared by the fleet (L2).
/// A store that cannot answer behaves as a miss; it never fails a request.
/// </summary>
internal interface IEdgeCacheStore
{
    ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    ValueTask SetAsync(string key, byte[] value, TimeSpan validFor, CancellationToken cancellationToken);
}
