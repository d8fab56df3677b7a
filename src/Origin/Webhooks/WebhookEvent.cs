using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vod.Common.Catalog;
using Vod.Origin.Catalog;

namespace Vod.Origin.Webhooks;

/// <summary>An event as endpoints receive it: <c>{ "id", "type", "created", "data": &lt;the title as an admin sees it&gt; }</c>.</summary>
internal sealed record WebhookEvent(string Id, string Type, DateTimeOffset Created, TitleResource Data)
{
    public const string TitleReady = "title.ready";
    public const string TitleFailed = "title.failed";
    public const string TitleDeleted = "title.deleted";

    public static readonly IReadOnlyList<string> Types = [TitleReady, TitleFailed, TitleDeleted];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The event of a title that became ready or failed. Its id is derived from the title and the time of the catalog
    /// write that made the transition, so every origin that sees it names it alike (one enqueue wins), and an event
    /// announced again after Redis lost its records carries the same id, which receivers de-duplicate on.
    /// </summary>
    public static WebhookEvent? Transition(Title title) => title.Status switch
    {
        TitleStatus.Ready => Derived(TitleReady, title),
        TitleStatus.Failed => Derived(TitleFailed, title),
        _ => null,
    };

    public static WebhookEvent Deleted(Title title, DateTimeOffset now) =>
        new("evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), TitleDeleted, now, TitleResource.From(title));

    private static WebhookEvent Derived(string type, Title title)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{type}|{title.Id}|{title.UpdatedAt.ToUnixTimeMilliseconds()}"));
        return new("evt_" + Convert.ToHexStringLower(hash.AsSpan(0, 12)), type, title.UpdatedAt, TitleResource.From(title));
    }

    /// <summary>The body every attempt sends, byte for byte (the signature covers it).</summary>
    public byte[] Body() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}
