using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Catalog;

/// <summary>Limits of the catalog's event feed (<c>GET /api/titles/events</c>): each open stream holds a connection.</summary>
internal sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>Open streams one client address may hold; one more is 429. An admin page holds one.</summary>
    [Range(1, 100_000)]
    public int MaxPerClient { get; set; } = 4;

    /// <summary>Open streams this origin serves in all; one more is 503.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 1000;
}
