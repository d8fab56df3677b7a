using System.Collections.Frozen;

namespace Vod.Common.Fleet;

/// <summary>
/// What a registry reader accepts. Anyone who can write to Redis can write a registry entry, and an entry's id and URLs
/// end up in master playlists, in probes the origin sends and in the fallback list browsers use; so every entry is
/// checked on read: the id rule, the URL rule (<see cref="FleetUrl"/>), the host allow-list when there is one, and the
/// fleet key's signature when there is a key.
/// </summary>
public sealed class FleetTrust
{
    /// <summary>No key and any host: only the id and URL rules (what a reader without configuration gets).</summary>
    public static readonly FleetTrust Open = new(null, []);

    private readonly FrozenSet<string> _allowedHosts;

    /// <param name="key">The fleet key; when set, unsigned and badly signed entries are refused.</param>
    /// <param name="allowedHosts">Host names an entry's URLs may name (case-insensitive); empty: any host.</param>
    public FleetTrust(FleetKey? key, IEnumerable<string> allowedHosts)
    {
        Key = key;
        _allowedHosts = allowedHosts
            .SelectMany(h => h.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(h => h.ToLowerInvariant())
            .ToFrozenSet(StringComparer.Ordinal);
    }

    public FleetKey? Key { get; }

    public IReadOnlySet<string> AllowedHosts => _allowedHosts;

    /// <summary>Why an entry stored under <paramref name="field"/> is refused, or null when it is accepted.</summary>
    public string? Refuse<T>(string field, T member)
        where T : IFleetAnnouncement<T>
    {
        if (!FleetMemberId.IsValid(member.Id))
        {
            return "id is not valid";
        }

        if (!string.Equals(field, member.Id, StringComparison.Ordinal))
        {
            return "id differs from its registry field";
        }

        if (Key is not null && member.Signature is null)
        {
            return "unsigned (Fleet:Key is set)";
        }

        if (Key is not null && !Key.Verify(member.SignedText(), member.Signature))
        {
            return "bad signature";
        }

        foreach (var url in member.Urls)
        {
            if (url is null)
            {
                continue;
            }

            if (!FleetUrl.IsValid(url))
            {
                return "URL is not a plain absolute http(s) URL";
            }

            if (_allowedHosts.Count > 0 && !_allowedHosts.Contains(FleetUrl.Host(url)))
            {
                return "host not in Fleet:AllowedHosts";
            }
        }

        return null;
    }
}
