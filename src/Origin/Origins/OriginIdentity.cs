using System.Text;
using Vod.Common.Fleet;

namespace Vod.Origin.Origins;

/// <summary>How an origin names itself when the configuration does not: pure functions, unit-tested.</summary>
internal static class OriginIdentity
{
    /// <summary><c>origin-{machine}-{pid}</c>, lower case, other characters as '-', cut to a valid id's length.</summary>
    public static string DefaultId(string machineName, int processId)
    {
        var suffix = $"-{processId}";
        var machine = new StringBuilder(machineName.Length);
        foreach (var c in machineName.ToLowerInvariant())
        {
            machine.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        var room = 32 - "origin-".Length - suffix.Length;
        var id = $"origin-{(machine.Length > room ? machine.ToString(0, room) : machine.ToString())}{suffix}";
        return OriginRegistry.IsValidId(id) ? id : $"origin{suffix}";
    }

    /// <summary>The configured public URL, else the first address the server bound, with a wildcard host as 127.0.0.1.</summary>
    public static string PublicUrl(string? configured, IEnumerable<string> boundAddresses)
    {
        var url = configured
            ?? boundAddresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Origin:PublicUrl is not set and the server has no address");
        foreach (var wildcard in (string[])["0.0.0.0", "[::]", "+", "*"])
        {
            url = url.Replace($"://{wildcard}:", "://127.0.0.1:", StringComparison.Ordinal);
        }

        return url.TrimEnd('/');
    }
}
