namespace Vod.Common.Fleet;

/// <summary>
/// What a registry needs of an announcement: its id (the hash field it is stored under), the URLs readers act on (write
/// into manifests, probe, fall back to), and the fleet-key signature over its fields.
/// </summary>
/// <typeparam name="TSelf">The announcement record itself.</typeparam>
public interface IFleetAnnouncement<TSelf>
    where TSelf : IFleetAnnouncement<TSelf>
{
    string Id { get; }

    /// <summary>Every URL a reader uses, optional ones as null when absent.</summary>
    IEnumerable<string?> Urls { get; }

    /// <summary>base64url HMAC-SHA256 of <see cref="SignedText"/> with the fleet key, or null when the fleet has no key.</summary>
    string? Signature { get; }

    /// <summary>Every field but the signature, in a fixed order and format: what the signature covers.</summary>
    string SignedText();

    TSelf WithSignature(string? signature);
}
