using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Vod.ServiceDefaults;

/// <summary>
/// An optional second listener for operators (<c>Management:Urls</c>): where it is configured, operational endpoints
/// (<c>/metrics</c>, the fleet, <c>/readyz</c>'s details) are served to anyone reaching it, and on the public listener
/// only to the admin key; loopback clients of the public listener are then no longer trusted.
/// </summary>
public sealed partial class ManagementOptions : IValidatableObject
{
    public const string Section = "Management";

    /// <summary>
    /// Semicolon- or comma-separated <c>http://host:port</c> URLs, bound besides the service's own (e.g.
    /// <c>http://127.0.0.1:9100</c>, or an address on an internal network). Each needs an explicit port other than 0:
    /// the local port is how a request that came in on this listener is told apart. Empty (the default): none.
    /// </summary>
    public string? Urls { get; set; }

    public bool Enabled => UrlList().Count > 0;

    public IReadOnlyList<string> UrlList() =>
        (Urls ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The local ports of the management listener.</summary>
    public IReadOnlySet<int> Ports() => UrlList().Select(PortOf).Where(p => p > 0).ToHashSet();

    private static int PortOf(string url) =>
        UrlShape().Match(url) is { Success: true } m && int.TryParse(m.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535 ? port : 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var url in UrlList().Where(u => PortOf(u) == 0))
        {
            yield return new ValidationResult(
                $"Management:Urls: '{url}' must be http(s)://host:port with an explicit port other than 0", [nameof(Urls)]);
        }
    }

    [GeneratedRegex(@"^https?://(\[[0-9A-Fa-f:.]+\]|[^/:\[\]]+):(?<port>[0-9]{1,5})/?$")]
    private static partial Regex UrlShape();
}
