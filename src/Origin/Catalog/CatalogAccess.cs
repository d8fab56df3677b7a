using Vod.Common.Catalog;
using Vod.Origin.Admin;

namespace Vod.Origin.Catalog;

/// <summary>
/// Who reads how much of the catalog: an admin (the key in <c>Authorization</c>) every title with its progress and
/// error; anyone else ready titles only, without error texts, which may name server paths or tools. Applied alike to
/// <c>GET /api/titles</c>, <c>GET /api/titles/{id}</c> (a title that is not ready is 404 to them) and the event feed.
/// </summary>
internal static class CatalogAccess
{
    /// <summary>
    /// Whether the request is an admin's. Without an <c>Authorization</c> header it is an anonymous reader's (false, no
    /// refusal); with one, the key must be right: else <paramref name="refusal"/> is the 401/403/429 of the admin key,
    /// and a wrong key counts against the client's lock-out as on any admin endpoint.
    /// </summary>
    public static bool IsAdmin(HttpContext http, AdminKeyFilter admin, out IResult? refusal)
    {
        refusal = AdminKeyFilter.PresentsKey(http) ? admin.Check(http) : null;
        return AdminKeyFilter.PresentsKey(http) && refusal is null;
    }

    public static bool IsPublic(TitleStatus status) => status == TitleStatus.Ready;

    public static TitleResource? View(Title title, bool admin) =>
        admin ? TitleResource.From(title) : IsPublic(title.Status) ? TitleResource.Public(title) : null;
}
