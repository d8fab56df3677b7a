using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vod.Origin.Webhooks;

/// <summary>
/// The <c>Vod-Signature</c> header (the scheme of Stripe and Mux): <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>
/// of <c>"&lt;t&gt;.&lt;raw body&gt;"</c>, keyed with the endpoint's secret as UTF-8. The time is signed too, so a receiver
/// that refuses old timestamps cannot be fed a captured request again later.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "Vod-Signature";
    public const string EventIdHeader = "Vod-Event-Id";

    public static string Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public static string HeaderValue(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        string.Create(CultureInfo.InvariantCulture, $"t={unixSeconds},v1={Compute(secret, unixSeconds, body)}");

    /// <summary>
    /// What a receiver checks: a well-formed header, a time within <paramref name="tolerance"/> of now, and a <c>v1</c>
    /// equal to the expected MAC (compared in constant time). Several <c>v1</c> entries are allowed (one per secret
    /// during a rotation); any match passes.
    /// </summary>
    public static bool Verify(string? header, string secret, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        long? t = null;
        var macs = new List<string>();
        foreach (var part in (header ?? "").Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return false;
            }

            var (key, value) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                t = parsed;
            }
            else if (key == "v1")
            {
                macs.Add(value);
            }
        }

        if (t is not { } time || macs.Count == 0 || Math.Abs(now.ToUnixTimeSeconds() - time) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, time, body));
        var match = false;
        foreach (var mac in macs)
        {
            match |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(mac));
        }

        return match;
    }

    /// <summary>A new endpoint secret: <c>whsec_</c> and 32 random bytes in base64url.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
