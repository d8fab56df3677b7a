namespace Vod.Common.Webhooks;

/// <summary>
/// A registered webhook endpoint, as the media store keeps it (<c>webhooks/{id}.json</c>): the store, not Redis, so a
/// registration survives Redis being wiped, as titles do. It holds the signing secret in clear, since every origin must
/// sign with it: the store is as private as the admin key beside it.
/// </summary>
/// <param name="Id">The endpoint's id (<c>wh_</c> and 20 lower-case letters and digits).</param>
/// <param name="Url">Where events are POSTed (http or https; validated at registration and before every delivery).</param>
/// <param name="Events">The event types it receives (<c>title.ready</c>, <c>title.failed</c>, <c>title.deleted</c>).</param>
/// <param name="Secret">The HMAC-SHA256 key of its <c>Vod-Signature</c> header.</param>
/// <param name="CreatedAt">When it was registered: it hears only of what happens from then on.</param>
public sealed record WebhookEndpoint(string Id, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt)
{
    public const string IdPrefix = "wh_";

    /// <summary>Whether <paramref name="id"/> has the shape of an endpoint id (it names a file in the store).</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: 23 } && id.StartsWith(IdPrefix, StringComparison.Ordinal) && id[3..].All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'));
}
