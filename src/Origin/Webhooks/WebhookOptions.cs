using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Webhooks;

internal sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Whether endpoints may be on private, loopback, link-local or other internal addresses. Off by default, so an admin
    /// key cannot turn the origins into a way into the internal network (SSRF); tests and <c>./run.sh</c> run on loopback.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Comma-separated networks (<c>127.0.0.0/8</c>, <c>10.1.2.0/24</c>, <c>fd00::/8</c>) allowed although internal.</summary>
    public string AllowedNetworks { get; set; } = "";

    /// <summary>The wait before the second attempt; each later one waits twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A delivery not accepted this long after its first attempt is given up (recorded in its endpoint's deliveries).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>One attempt's limit (connect, send, the answer's headers); past it the attempt failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each origin looks for deliveries that are due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each origin reads the catalog for titles that became ready or failed (only while endpoints exist).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How far back a transition still raises its event: a title that became ready or failed longer ago is not announced
    /// (after Redis lost its records, only that recent past is announced again, with the same event ids).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan DetectWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts one origin runs at once.</summary>
    [Range(1, 256)]
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>How long a claimed attempt belongs to its origin: the attempt's limit plus a margin. An origin that dies
    /// mid-attempt leaves the delivery to the others once it passes.</summary>
    public TimeSpan Lease => Timeout + TimeSpan.FromSeconds(5);
}
