using System.ComponentModel.DataAnnotations;

namespace Vod.Edge.OriginClient;

internal sealed class OriginOptions : IValidatableObject
{
    public const string Section = "Origin";

    /// <summary>
    /// One origin URL, or several separated by commas (<c>http://127.0.0.1:5100,http://127.0.0.1:5101</c>): fills go to
    /// the first healthy one in this order and fail over to the next. Give each edge its own order to spread the load.
    /// </summary>
    [Required]
    public string BaseUrl { get; set; } = "http://127.0.0.1:5100";

    /// <summary>TCP connect timeout to an origin.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whole-request timeout for one metadata or slice fetch, every origin tried included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With several origins, how long one origin may take to answer with headers before the fetch moves to the next
    /// (a hung origin accepts connections and says nothing). The last origin tried gets what is left of the request budget.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>How often each origin's <c>/healthz</c> is probed; a probe that takes longer than this fails.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The origins, parsed from <see cref="BaseUrl"/>.</summary>
    public IReadOnlyList<Uri> Origins() => [.. Urls().Select(u => new Uri(u.TrimEnd('/') + "/"))];

    private string[] Urls() => BaseUrl.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var urls = Urls();
        if (urls.Length == 0)
        {
            yield return new ValidationResult("Origin:BaseUrl: give at least one origin URL", [nameof(BaseUrl)]);
        }

        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/")
            {
                yield return new ValidationResult($"Origin:BaseUrl: '{url}' is not an http(s) URL without a path", [nameof(BaseUrl)]);
            }
        }
    }
}
