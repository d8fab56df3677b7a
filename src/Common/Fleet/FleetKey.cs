using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Vod.Common.Fleet;

/// <summary>
/// The secret origins and edges share (<c>Fleet:Key</c>) to sign their registry announcements: whoever can write to
/// Redis but does not hold the key cannot add a member the origin would route players to or probe.
/// </summary>
public sealed class FleetKey
{
    public const int MinLength = 32;

    // Domain separation: a MAC made for a registry entry is never valid for anything else signed with the same secret.
    private const string Context = "vod-fleet-announcement-v1\n";
    private readonly byte[] _key;

    public FleetKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length < MinLength)
        {
            throw new ArgumentException($"a fleet key has at least {MinLength} characters", nameof(key));
        }

        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The key of <see cref="FleetKeyOptions"/>, or null when none is configured.</summary>
    public static FleetKey? From(FleetKeyOptions options) => string.IsNullOrEmpty(options.Key) ? null : new FleetKey(options.Key);

    public string Sign(string text) => Base64Url.EncodeToString(Mac(text));

    /// <summary>
    /// Whether <paramref name="signature"/> is the signature of <paramref name="text"/>, compared as the canonical encoding
    /// in constant time (a decoder would accept several spellings of one MAC).
    /// </summary>
    public bool Verify(string text, string? signature)
    {
        if (signature is null)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(text));
        var presented = Encoding.UTF8.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    private byte[] Mac(string text) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(Context + text));
}
