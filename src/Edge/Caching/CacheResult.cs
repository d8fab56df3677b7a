namespace Vod.Edge.Caching;

/// <summary>Where a lookup was answered from, in order of cost; a request's result is the costliest of its lookups.</summary>
internal enum CacheResult
{
    L1Hit,
    L2Hit,

    /// <summary>Waited for a fill another request (on this edge) or another edge (through L2) was already doing.</summary>
    Coalesced,

    /// <summary>Fetched from the origin.</summary>
    Miss,

    /// <summary>The origin failed and an expired copy was served.</summary>
    Stale,
}
